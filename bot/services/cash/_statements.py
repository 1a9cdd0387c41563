"""Importing a bank statement: each entry not seen before stored once, matched, and what the
reference rule (or the policy) allows applied, all in one transaction; what it pays in full is
overtaken at once, and a thank-you proposed afterwards like after a ledger's payment."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.channels.bank import read_statement
from bot.db import insert_rows, new_ids, unit_of_work
from bot.domain.bank_statement import Statement, StatementLine
from bot.domain.money import from_minor, to_minor
from bot.domain.payment_matching import (
    Allocation,
    MatchPolicy,
    OpenBook,
    OpenInvoice,
    Outcome,
    Reversible,
    match_line,
    reversed_entry,
)
from bot.domain.states import BankLineState, move
from bot.importing.mapping import Mapping
from bot.models import OPEN_INVOICE, BankLine, BankStatement, Customer, Invoice, PayerIban, utcnow
from bot.services import audit
from bot.services.accounts import plans, promises
from bot.services.accounts.payments import follow_up_payments
from bot.services.cash._applying import Paying, overtake_paid, pay, undo
from bot.services.common.customer_policy import Policies
from bot.services.common.queries import in_sources, stored_id
from bot.services.reminders.compose import Composer

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


def _open_book(session: Session) -> OpenBook:
    conn = session.connection()
    invoices = [
        OpenInvoice(number, customer_id, currency, from_minor(amount - paid, currency), due)
        for number, customer_id, currency, amount, paid, due in conn.execute(
            sa.select(
                col(Invoice.number),
                col(Invoice.customer_id),
                col(Invoice.currency),
                col(Invoice.amount_minor),
                col(Invoice.paid_minor),
                col(Invoice.due_date),
            ).where(OPEN_INVOICE)
        )
    ]
    names = {
        stored_id(key): name
        for key, name in conn.execute(sa.select(col(Customer.id), col(Customer.name)))
    }
    ibans: dict[str, set[int]] = {}
    for iban, customer_id in conn.execute(
        sa.select(col(PayerIban.iban), col(PayerIban.customer_id))
    ):
        ibans.setdefault(iban, set()).add(customer_id)
    return OpenBook(invoices, names, {k: frozenset(v) for k, v in ibans.items()})


def _known(session: Session, statement: Statement) -> set[tuple[str, str]]:
    """(account, reference) of the statement's entries stored already."""
    found: set[tuple[str, str]] = set()
    for account in statement.accounts:
        references = [x.reference for x in statement.lines if statement.account_of(x) == account]
        for start in range(0, len(references), 5000):
            found.update(
                (account, reference)
                for reference in session.connection().scalars(
                    sa.select(col(BankLine.reference)).where(
                        col(BankLine.account) == account,
                        col(BankLine.reference).in_(references[start : start + 5000]),
                    )
                )
            )
    return found


def _minor_amounts(allocations: Sequence[Allocation], currency: str) -> list[list[object]]:
    return [[a.number, to_minor(a.amount, currency)] for a in allocations]


def import_statement(
    engine: Engine,
    statement: Statement,
    source: Path,
    *,
    policy: MatchPolicy,
    actor: str = "import",
) -> BankImport:
    """Store and match `statement` (read from `source`); an entry already imported (same
    account and bank reference) is left as it is, so a file imported twice applies nothing
    twice. What follows from the payments is the caller's next step (`after_import`)."""
    now = utcnow()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    with unit_of_work(engine) as session, audit.batched(session):
        record = BankStatement(
            file_name=source.name[:255],
            file_sha256=digest,
            format=statement.format,
            account=statement.account[:64],
            lines=len(statement.lines),
            imported_by=actor,
            imported_at=now,
        )
        session.add(record)
        session.flush()
        known = _known(session, statement)
        fresh = [x for x in statement.lines if (statement.account_of(x), x.reference) not in known]
        payments = [x for x in fresh if not x.reversal]
        reversals = [x for x in fresh if x.reversal]
        book = _open_book(session) if any(x.is_payment_in for x in payments) else None
        ids = new_ids(session.connection(), BankLine, len(fresh))
        rows: list[tuple[object, ...]] = []
        payings: list[Paying] = []
        counts: Counter[BankLineState] = Counter()
        applied_total: dict[str, Decimal] = {}
        unapplied: dict[str, Decimal] = {}
        to_decide: list[int] = []
        for key, line in zip(ids[: len(payments)], payments, strict=True):
            found = match_line(line, book, policy) if book is not None else None
            state = _STATE[found.outcome] if found is not None else BankLineState.IGNORED
            counts[state] += 1
            surplus = found.surplus if found is not None else Decimal(0)
            if found is not None and found.outcome is Outcome.APPLIED:
                assert book is not None and found.customer_id is not None
                book.settle(found.allocations)
                minors = tuple(
                    (a.number, to_minor(a.amount, line.currency)) for a in found.allocations
                )
                payings.append(
                    Paying(
                        key,
                        found.customer_id,
                        line.currency,
                        line.reference,
                        record.file_name,
                        found.rule,
                        minors,
                        to_minor(surplus, line.currency),
                    )
                )
                applied_total[line.currency] = (
                    applied_total.get(line.currency, Decimal(0)) + found.applied
                )
                if surplus:
                    unapplied[line.currency] = unapplied.get(line.currency, Decimal(0)) + surplus
            elif state in (BankLineState.SUGGESTED, BankLineState.TO_DECIDE):
                to_decide.append(key)
            rows.append(
                _row(
                    key,
                    record,
                    statement.account_of(line),
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
        insert_rows(session.connection(), BankLine, _COLUMNS, rows)
        paid = pay(session, payings, actor, now)
        reversed_count = 0
        for key, line in zip(ids[len(payments) :], reversals, strict=True):
            account = statement.account_of(line)
            state, why, target = _reversal(session, account, line, actor, now)
            counts[state] += 1
            reversed_count += target is not None
            if state is BankLineState.TO_DECIDE:
                to_decide.append(key)
            row = (
                *_row(key, record, account, line, state, 0, why, None, "[]", "[]", 0),
                target,
            )
            insert_rows(session.connection(), BankLine, (*_COLUMNS, "reverses_line_id"), [row])
        touched = overtake_paid(session, paid, actor, by_hand=False)
        audit.append(
            session,
            audit.NewEvent(
                kind="bank_import",
                actor=actor,
                channel="bank",
                content={
                    "file": record.file_name,
                    "sha256": digest,
                    "format": statement.format,
                    "account": statement.account,
                    "lines": len(statement.lines),
                    "already_imported": len(known),
                    "applied": len(payings),
                },
            ),
        )
        statement_id = record.id
    assert statement_id is not None
    return BankImport(
        statement_id,
        record.file_name,
        statement.format,
        statement.account,
        len(statement.lines),
        len(known),
        len(payings),
        applied_total,
        counts[BankLineState.SUGGESTED],
        tuple(to_decide),
        counts[BankLineState.IGNORED],
        reversed_count,
        unapplied,
        len(touched.reminders),
        tuple(n for p in paid for n in p.closed),
    )


def after_import(
    engine: Engine,
    report: BankImport,
    *,
    composer: Composer,
    policies: Policies,
    run_date: date,
    actor: str,
) -> int:
    """What the cash changes beyond its invoices, at once rather than tomorrow: promises kept
    and plan instalments met are settled as the morning settles them, and a thank-you is
    proposed to each customer whose overdue invoices were paid off (as after a ledger
    import). The number of thank-you notes proposed."""
    if report.applied:
        promises.settle(engine, run_date, policies)
        plans.settle_plans(engine, run_date, policies)
    return len(
        follow_up_payments(engine, composer, report.paid_in_full, run_date, actor=actor).thanks
    )


def import_bank_file(
    engine: Engine,
    path: Path,
    *,
    policy: MatchPolicy,
    composer: Composer,
    policies: Policies,
    run_date: date,
    account: str = "",
    mapping: Mapping | None = None,
    actor: str = "import",
) -> BankImport:
    """Read a bank file (`channels.bank`: raises `BankFileError` naming each bad line, and then
    nothing is stored), import it, and settle what it changed (`after_import`)."""
    statement = read_statement(path, account=account, mapping=mapping)
    report = import_statement(engine, statement, path, policy=policy, actor=actor)
    after_import(
        engine, report, composer=composer, policies=policies, run_date=run_date, actor=actor
    )
    return report


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
