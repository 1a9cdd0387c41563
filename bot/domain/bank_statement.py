"""What a bank statement says, whatever its format (camt.053/054, MT940, OFX, CSV): the lines
that matching and storage read. The readers in `bot/channels/bank` build these."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class StatementLine:
    """One booked entry. `amount` is positive; `credit` says which way the money went.

    `reference` is the bank's own reference of the entry (camt `AcctSvcrRef`, the MT940 :61:
    bank reference, the OFX FITID), or a hash of what the line says where the bank gives none:
    the same entry read twice has the same reference, so it is applied once."""

    position: int  # where it is in its file (a line, or the n-th entry), for errors
    reference: str
    booked: date
    amount: Decimal
    currency: str
    credit: bool
    reversal: bool = False  # camt RvslInd, MT940 RC/RD: undoes an earlier entry
    payer_name: str = ""
    payer_iban: str = ""
    remittance: str = ""  # free text and structured references, one a line
    end_to_end: str = ""  # the payer's end-to-end id (camt, SEPA MT940 EREF+)
    account: str = ""  # its own account when a file holds several (MT940), else the statement's

    @property
    def is_payment_in(self) -> bool:
        """Money received from someone (a credit that is not itself a reversal)."""
        return self.credit and not self.reversal

    @property
    def reverses_payment_in(self) -> bool:
        """A debit undoing a credit (camt RvslInd on a debit, MT940 RC)."""
        return self.reversal and not self.credit


@dataclass(frozen=True)
class Statement:
    format: str  # camt.053, camt.054, mt940, ofx, csv:<mapping>
    account: str  # the statement's account (an IBAN where the file gives one), "" if unknown
    lines: tuple[StatementLine, ...]

    def account_of(self, line: StatementLine) -> str:
        """The account a line is stored under: its own where the file holds several."""
        return line.account or self.account

    @property
    def accounts(self) -> tuple[str, ...]:
        """Every account the statement's lines are on, in the file's order."""
        return tuple(dict.fromkeys(self.account_of(x) for x in self.lines)) or (self.account,)


def fallback_reference(
    account: str,
    booked: date,
    amount: Decimal,
    currency: str,
    credit: bool,
    remittance: str,
    payer: str,
    occurrence: int,
) -> str:
    """A reference for an entry the bank gave none: a hash of what it says, with how many
    identical entries came before it in the same file (two equal transfers on one day are two
    entries, and the same file read again gives each the same reference)."""
    said = "\x1f".join(
        (account, booked.isoformat(), str(amount), currency, "C" if credit else "D", remittance)
    )
    digest = hashlib.sha256(f"{said}\x1f{payer}\x1f{occurrence}".encode()).hexdigest()
    return "sha256:" + digest[:40]
