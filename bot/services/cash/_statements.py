"""Importing a bank statement: each entry not seen before stored once, matched, and what the
reference rule (or the policy) allows applied, all in one transaction; what it pays in full is
overtaken at once, and a thank-you proposed afterwards like after a ledger's payment."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.channels.bank import read_statement
from bot.db import insert_rows, new_ids, unit_of_work
from bot.domain.bank_statement import Statement
from bot.domain.money import from_minor
from bot.domain.payment_matching import (
    MatchPolicy,
    OpenBook,
    OpenInvoice,
)
from bot.importing.mapping import Mapping
from bot.models import OPEN_INVOICE, BankLine, BankStatement, Customer, Invoice, PayerIban, utcnow
from bot.services import audit
from bot.services.accounts import plans, promises
from bot.services.accounts.payments import follow_up_payments
from bot.services.cash._applying import overtake_paid, pay
from bot.services.cash._lines import (
    _COLUMNS,
    _Lines,
)
from bot.services.cash._lines import BankImport as BankImport
from bot.services.common.customer_policy import Policies
from bot.services.common.queries import stored_id
from bot.services.reminders.compose import Composer


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
        lines = _Lines(record)
        for key, line in zip(ids[: len(payments)], payments, strict=True):
            lines.payment(key, statement.account_of(line), line, book, policy)
        insert_rows(session.connection(), BankLine, _COLUMNS, lines.rows)
        paid = pay(session, lines.payings, actor, now)
        for key, line in zip(ids[len(payments) :], reversals, strict=True):
            lines.reversal(session, key, statement.account_of(line), line, actor, now)
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
                    "applied": len(lines.payings),
                },
            ),
        )
        statement_id = record.id
    assert statement_id is not None
    return lines.summary(statement_id, statement, len(known), len(touched.reminders), paid)


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
