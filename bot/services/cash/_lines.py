"""A statement's lines as they are stored and applied: each payment matched and recorded (or set
aside for a person), each reversal undoing its line, the statement summed up as it goes into its
import report."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.db import insert_rows
from bot.domain.bank_statement import Statement, StatementLine
from bot.domain.money import from_minor, to_minor
from bot.domain.payment_matching import (
    Allocation,
    MatchPolicy,
    OpenBook,
    Outcome,
    match_line,
)
from bot.domain.reversals import Reversible, reversed_entry
from bot.domain.states import BankLineState, move
from bot.models import BankLine, BankStatement
from bot.services.cash._applying import Paid, Paying, undo
from bot.services.common.queries import in_sources

_STATE = {
    Outcome.APPLIED: BankLineState.APPLIED,
    Outcome.SUGGESTED: BankLineState.SUGGESTED,
    Outcome.DECIDE: BankLineState.TO_DECIDE,
    Outcome.IGNORED: BankLineState.IGNORED,
}


_COLUMNS = (
    "id",
    "statement_id",
    "account",
    "reference",
    "position",
    "booked_on",
    "currency",
    "amount_minor",
    "credit",
    "reversal",
    "payer_name",
    "payer_iban",
    "remittance",
    "end_to_end",
    "state",
    "rule",
    "why",
    "customer_id",
    "candidates",
    "proposed",
    "unapplied_minor",
)


@dataclass(frozen=True)
class BankImport:
    """What one statement brought, as the summary tells it."""

    statement_id: int
    file_name: str
    format: str
    account: str
    lines: int
    already_imported: int
    applied: int
    applied_total: dict[str, Decimal]  # per currency
    suggested: int
    to_decide: tuple[int, ...]  # the lines a person decides (suggestions included)
    ignored: int
    reversed: int
    unapplied: dict[str, Decimal] = field(default_factory=dict)  # surplus kept as credit
    cancelled: int = 0  # reminders overtaken (expired or stopped)
    paid_in_full: tuple[str, ...] = ()  # invoice numbers the statement paid off


def _minor_amounts(allocations: Sequence[Allocation], currency: str) -> list[list[object]]:
    return [[a.number, to_minor(a.amount, currency)] for a in allocations]


@dataclass
class _Lines:
    """A statement's new lines as they are matched: the rows to store, the payments to apply,
    and the figures of the summary."""

    record: BankStatement
    rows: list[tuple[object, ...]] = field(default_factory=list)
    payings: list[Paying] = field(default_factory=list)
    counts: Counter[BankLineState] = field(default_factory=Counter)
    applied_total: dict[str, Decimal] = field(default_factory=dict)
    unapplied: dict[str, Decimal] = field(default_factory=dict)
    to_decide: list[int] = field(default_factory=list)
    reversed: int = 0

    def payment(
        self,
        key: int,
        account: str,
        line: StatementLine,
        book: OpenBook | None,
        policy: MatchPolicy,
    ) -> None:
        """A line of `account` matched (money out is ignored): applied, suggested or left to a
        person."""
        found = match_line(line, book, policy) if book is not None else None
        state = _STATE[found.outcome] if found is not None else BankLineState.IGNORED
        self.counts[state] += 1
        surplus = found.surplus if found is not None else Decimal(0)
        if found is not None and found.outcome is Outcome.APPLIED:
            assert book is not None and found.customer_id is not None
            book.settle(found.allocations)
            minors = tuple((a.number, to_minor(a.amount, line.currency)) for a in found.allocations)
            self.payings.append(
                Paying(
                    key,
                    found.customer_id,
                    line.currency,
                    line.reference,
                    self.record.file_name,
                    found.rule,
                    minors,
                    to_minor(surplus, line.currency),
                )
            )
            self.applied_total[line.currency] = (
                self.applied_total.get(line.currency, Decimal(0)) + found.applied
            )
            if surplus:
                self.unapplied[line.currency] = (
                    self.unapplied.get(line.currency, Decimal(0)) + surplus
                )
        elif state in (BankLineState.SUGGESTED, BankLineState.TO_DECIDE):
            self.to_decide.append(key)
        self.rows.append(
            _row(
                key,
                self.record,
                account,
                line,
                state,
                found.rule if found is not None else 0,
                found.why if found is not None else "money out",
                found.customer_id if found is not None else None,
                json.dumps(list(found.candidates) if found is not None else []),
                json.dumps(
                    _minor_amounts(found.allocations, line.currency)
                    if found is not None and found.outcome is not Outcome.APPLIED
                    else []
                ),
                to_minor(surplus, line.currency),
            )
        )

    def summary(
        self,
        statement_id: int,
        statement: Statement,
        already: int,
        cancelled: int,
        paid: Sequence[Paid],
    ) -> BankImport:
        return BankImport(
            statement_id,
            self.record.file_name,
            statement.format,
            statement.account,
            len(statement.lines),
            already,
            len(self.payings),
            self.applied_total,
            self.counts[BankLineState.SUGGESTED],
            tuple(self.to_decide),
            self.counts[BankLineState.IGNORED],
            self.reversed,
            self.unapplied,
            cancelled,
            tuple(n for p in paid for n in p.closed),
        )

    def reversal(
        self,
        session: Session,
        key: int,
        account: str,
        line: StatementLine,
        actor: str,
        now: datetime,
    ) -> None:
        """A bank's reversal on `account`: the payment it undoes (on the same account) undone,
        else left to a person; stored at once (it names the line it reverses)."""
        state, why, target = _reversal(session, account, line, actor, now)
        self.counts[state] += 1
        self.reversed += target is not None
        if state is BankLineState.TO_DECIDE:
            self.to_decide.append(key)
        row = (
            *_row(key, self.record, account, line, state, 0, why, None, "[]", "[]", 0),
            target,
        )
        insert_rows(session.connection(), BankLine, (*_COLUMNS, "reverses_line_id"), [row])


def _row(
    key: int,
    record: BankStatement,
    account: str,
    line: StatementLine,
    state: BankLineState,
    rule: int,
    why: str,
    customer_id: int | None,
    candidates: str,
    proposed: str,
    unapplied_minor: int,
) -> tuple[object, ...]:
    """A new line's values, in `_COLUMNS` order."""
    return (
        key,
        record.id,
        account,
        line.reference,
        line.position,
        line.booked,
        line.currency,
        to_minor(line.amount, line.currency),
        line.credit,
        line.reversal,
        line.payer_name,
        line.payer_iban,
        line.remittance,
        line.end_to_end,
        str(state),
        rule,
        why,
        customer_id,
        candidates,
        proposed,
        unapplied_minor,
    )


def _as_line(row: BankLine) -> StatementLine:
    return StatementLine(
        row.position,
        row.reference,
        row.booked_on,
        from_minor(row.amount_minor, row.currency),
        row.currency,
        row.credit,
        row.reversal,
        row.payer_name,
        row.payer_iban,
        row.remittance,
        row.end_to_end,
    )


def _reversal(
    session: Session, account: str, line: StatementLine, actor: str, now: datetime
) -> tuple[BankLineState, str, int | None]:
    """A reversal: the payment it undoes (same account, amount, currency, and end-to-end id or
    payer and text) moved to reversed and what it applied undone; when no single payment
    fits, a person looks."""
    if not line.reverses_payment_in:
        return BankLineState.IGNORED, "reverses money out", None
    session.flush()
    earlier = session.exec(
        select(BankLine).where(
            col(BankLine.account) == account,
            col(BankLine.amount_minor) == to_minor(line.amount, line.currency),
            col(BankLine.currency) == line.currency,
            col(BankLine.credit),
            ~col(BankLine.reversal),
            in_sources(BankLine.state, move(BankLineState.REVERSED)),
        )
    ).all()
    target = reversed_entry(line, [Reversible(row.id or 0, _as_line(row)) for row in earlier])
    if target is None:
        return BankLineState.TO_DECIDE, "a reversal: which payment it undoes is unclear", None
    reversing = move(BankLineState.REVERSED)
    original = session.get(BankLine, target)
    assert original is not None
    was_applied = original.state == BankLineState.APPLIED
    done = session.exec(
        sa.update(BankLine)
        .where(col(BankLine.id) == target, in_sources(BankLine.state, reversing))
        .values(state=reversing.target, decided_by=actor, decided_at=now)
    )
    if not done.rowcount:
        return BankLineState.TO_DECIDE, "a reversal of a payment decided meanwhile", None
    if was_applied:
        undo(session, original, actor, line.reference, now)
    return BankLineState.IGNORED, f"reverses entry {original.reference}", target
