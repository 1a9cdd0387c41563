"""Which earlier payment a bank's reversal undoes. Pure: the earlier payments come in, the
one undone (or none, for a person to look) goes out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.bank_statement import StatementLine


@dataclass(frozen=True)
class Reversible:
    """A payment received earlier, as a reversal may name it."""

    key: int  # the caller's id of it
    line: StatementLine


def reversed_entry(reversal: StatementLine, earlier: Sequence[Reversible]) -> int | None:
    """Which earlier payment a reversal undoes: the one with its amount and currency and its
    end-to-end id (else the same payer and remittance). None when no single one fits: then
    a person looks."""
    same = [
        e
        for e in earlier
        if e.line.amount == reversal.amount
        and e.line.currency == reversal.currency
        and e.line.is_payment_in
    ]
    if reversal.end_to_end:
        fits = [e for e in same if e.line.end_to_end == reversal.end_to_end]
    else:
        fits = [
            e
            for e in same
            if e.line.remittance == reversal.remittance and e.line.payer_iban == reversal.payer_iban
        ]
    return fits[0].key if len(fits) == 1 else None
