"""What the digest says about the ledger, read beside the morning's deciding: the totals by bucket
and how they moved since the last digest, the promises due and broken, the sends that failed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only
from bot.domain.aging import Bucket
from bot.domain.money import Money
from bot.domain.states import OutboxState, PlanState, PromiseState, ReminderState
from bot.models import (
    EMAIL_FAILING,
    Customer,
    DigestRun,
    Invoice,
    Outbox,
    PaymentPlan,
    Promise,
    Reminder,
    ReminderInvoice,
)
from bot.services.accounts import promises
from bot.services.cash import totals
from bot.services.common.queries import is_open, open_balance
from bot.services.ledger.aging_report import AgingReport, aging_report
from bot.services.reminders.holds import HeldCustomer, held_customers

OVERDUE_KEY = "overdue"


@dataclass(frozen=True)
class PromiseLine:
    customer: str
    invoice: str
    promised_date: date
    amount: Money | None
    balance: Money


@dataclass(frozen=True)
class FailedSend:
    reminder_id: int
    customer: str
    stage: str
    error: str


def _read_totals(
    totals: str,
) -> tuple[dict[str, Money], dict[str, dict[Bucket, Money]] | None]:
    """The stored totals; digests posted before buckets were kept hold one number per currency."""
    stored = json.loads(totals)
    overall: dict[str, Money] = {}
    buckets: dict[str, dict[Bucket, Money]] | None = {}
    for currency, value in stored.items():
        if isinstance(value, int):
            overall[currency] = Money.of_minor(value, currency)
            buckets = None
            continue
        overall[currency] = Money.of_minor(value[OVERDUE_KEY], currency)
        if buckets is not None:
            buckets[currency] = {
                Bucket(k): Money.of_minor(m, currency) for k, m in value.items() if k != OVERDUE_KEY
            }
    return overall, buckets


def promise_lines(session: Session, *where: sa.ColumnElement[bool]) -> list[PromiseLine]:
    """Promises on invoices still open (a broken one stays listed until paid or replaced)."""
    rows = session.execute(
        sa.select(
            col(Customer.name),
            col(Invoice.number),
            col(Invoice.currency),
            col(Promise.promised_date),
            col(Promise.amount_minor),
            open_balance(),
        )
        .join(Invoice, col(Invoice.id) == col(Promise.invoice_id))
        .join(Customer, col(Customer.id) == col(Invoice.customer_id))
        .where(is_open(), *where)
        .order_by(col(Promise.promised_date), col(Customer.name))
    ).all()
    return [
        PromiseLine(
            name,
            number,
            promised,
            Money.of_minor(amount, currency) if amount is not None else None,
            Money.of_minor(balance, currency),
        )
        for name, number, currency, promised, amount, balance in rows
    ]


def _last_run(session: Session, run_date: date, channel: str) -> DigestRun | None:
    """The last digest posted to `channel` before `run_date`: what today's is compared with."""
    return session.exec(
        select(DigestRun)
        .where(
            col(DigestRun.channel) == channel,
            col(DigestRun.run_date) < run_date,
            col(DigestRun.posted_at).is_not(None),
        )
        .order_by(col(DigestRun.run_date).desc())
        .limit(1)
    ).first()


def _previous_totals(
    session: Session, run_date: date, channel: str
) -> tuple[dict[str, Money] | None, dict[str, dict[Bucket, Money]] | None]:
    last = _last_run(session, run_date, channel)
    if last is None:
        return None, None
    return _read_totals(last.totals)


def _awaiting_totals(session: Session, run_date: date) -> dict[str, list[Money]]:
    """What the undecided reminders of the day ask for, per stage and currency: summed by the
    database through the reminders' invoice lists (a morning's carry a hundred thousand)."""
    sums = session.execute(
        sa.select(
            col(Reminder.stage),
            col(Invoice.currency),
            sa.func.sum(col(Invoice.amount_minor) - col(Invoice.paid_minor)),
        )
        .join(ReminderInvoice, col(ReminderInvoice.reminder_id) == col(Reminder.id))
        .join(Invoice, col(Invoice.number) == col(ReminderInvoice.number))
        .where(
            col(Reminder.run_date) == run_date,
            col(Reminder.state) == ReminderState.SUGGESTED,
            col(Invoice.amount_minor) > col(Invoice.paid_minor),
        )
        .group_by(col(Reminder.stage), col(Invoice.currency))
        .order_by(col(Reminder.stage), col(Invoice.currency))
    ).all()
    by_stage: dict[str, list[Money]] = {}
    for stage, currency, total in sums:
        by_stage.setdefault(stage, []).append(Money.of_minor(int(total), currency))
    return by_stage


@dataclass(frozen=True)
class LedgerFacts:
    """What the digest says of the ledger, everything but today's reminders: read on its own,
    so the morning reads it while it decides."""

    aging: AgingReport
    previous: dict[str, Money] | None
    previous_buckets: dict[str, dict[Bucket, Money]] | None
    promises_due: list[PromiseLine]
    promises_broken: list[PromiseLine]
    failed: list[FailedSend]
    failing_addresses: list[tuple[str, str]]
    missed_plans: list[str]
    held: list[HeldCustomer]
    cash_collected: dict[str, Money] = field(default_factory=dict)
    cash_unapplied: dict[str, Money] = field(default_factory=dict)


def ledger_facts(engine: Engine, run_date: date, channel: str, top: int = 10) -> LedgerFacts:
    with read_only(engine) as session:
        previous, previous_buckets = _previous_totals(session, run_date, channel)
        return LedgerFacts(
            aging=aging_report(session, run_date, top=top),
            previous=previous,
            previous_buckets=previous_buckets,
            promises_due=promise_lines(
                session,
                col(Promise.state) == PromiseState.OPEN,
                col(Promise.promised_date) == run_date,
            ),
            promises_broken=promise_lines(session, promises.broken_and_not_renewed()),
            failed=[
                FailedSend(r_id, name, stage, error)
                for r_id, name, stage, error in session.execute(
                    sa.select(
                        col(Reminder.id),
                        col(Customer.name),
                        col(Reminder.stage),
                        col(Outbox.last_error),
                    )
                    .join(Reminder, col(Reminder.id) == col(Outbox.reminder_id))
                    .join(Customer, col(Customer.id) == col(Reminder.customer_id))
                    .where(col(Outbox.state) == OutboxState.FAILED)
                    .order_by(col(Reminder.id))
                ).all()
            ],
            failing_addresses=[
                (name, problem)
                for name, problem in session.execute(
                    sa.select(col(Customer.name), col(Customer.email_problem))
                    .where(sa.text(EMAIL_FAILING))  # its partial index's own words
                    .order_by(col(Customer.name))
                ).all()
            ],
            missed_plans=list(
                session.exec(
                    select(col(Customer.name))
                    .join(PaymentPlan, col(PaymentPlan.customer_id) == col(Customer.id))
                    .where(col(PaymentPlan.state) == PlanState.MISSED)
                    .order_by(col(Customer.name))
                ).all()
            ),
            held=held_customers(session, run_date),
            cash_collected=totals.collected_since(
                session, _last_posted(session, run_date, channel)
            ),
            cash_unapplied=totals.unapplied(session),
        )


def _last_posted(session: Session, run_date: date, channel: str) -> datetime | None:
    """When the last digest before today's was posted: cash since then is new."""
    last = _last_run(session, run_date, channel)
    return last.posted_at if last is not None else None
