"""The finance lead's view of the ledger (the App Home tab): outstanding and overdue per
currency, aging, DSO, the share over 90 days, and what needs someone today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.db import read_only
from bot.domain.aging import Bucket
from bot.domain.dso import countback_dso, month_periods
from bot.domain.money import Money, from_minor
from bot.domain.states import OutboxState, PromiseState, ReminderState
from bot.models import Invoice, Outbox, Promise, Reminder
from bot.services.accounts import promises
from bot.services.ledger.aging_report import AgingReport, aging_report
from bot.services.overview.ledger_facts import PromiseLine, promise_lines


@dataclass(frozen=True)
class CurrencyFigures:
    currency: str
    outstanding: Money
    overdue: Money
    over_90_share: Decimal  # of the outstanding, 0..1
    dso: Decimal | None
    buckets: list[tuple[Bucket, Money]]


@dataclass(frozen=True)
class Home:
    today: date
    currencies: list[CurrencyFigures]
    awaiting: int
    yours_pending: int  # approved by this person, not sent yet
    promises_this_week: list[PromiseLine]
    promises_broken: list[PromiseLine]
    failed_sends: int


def _dso(session: Session, currency: str, receivable_minor: int, today: date) -> Decimal | None:
    periods = month_periods(today)
    by_day: dict[date, int] = dict(
        session.connection()
        .execute(
            sa.select(col(Invoice.issue_date), sa.func.sum(col(Invoice.amount_minor)))
            .where(
                col(Invoice.currency) == currency,
                col(Invoice.issue_date) >= periods[-1][0],
                col(Invoice.issue_date) <= today,
            )
            .group_by(col(Invoice.issue_date))
        )
        .all()
    )
    sales = [
        (
            (end - start).days + 1,
            from_minor(sum(v for d, v in by_day.items() if start <= d <= end), currency),
        )
        for start, end in periods
    ]
    return countback_dso(from_minor(receivable_minor, currency), sales)


def _figures(session: Session, report: AgingReport, today: date) -> list[CurrencyFigures]:
    result = []
    for currency in report.currencies():
        outstanding = report.total(currency)
        over_90 = sum(
            (
                t.balance.amount
                for t in report.totals
                if t.currency == currency and t.bucket is Bucket.OVER_90
            ),
            Decimal(0),
        )
        share = over_90 / outstanding.amount if outstanding.amount else Decimal(0)
        result.append(
            CurrencyFigures(
                currency=currency,
                outstanding=outstanding,
                overdue=report.total(currency, overdue_only=True),
                over_90_share=share,
                dso=_dso(session, currency, outstanding.minor, today),
                buckets=[(t.bucket, t.balance) for t in report.totals if t.currency == currency],
            )
        )
    return result


def home(engine: Engine, today: date, user: str) -> Home:
    with read_only(engine) as session:
        report = aging_report(session, today, top=0)
        conn = session.connection()
        awaiting = conn.execute(
            sa.select(sa.func.count())
            .select_from(Reminder)
            .where(col(Reminder.run_date) == today, col(Reminder.state) == ReminderState.SUGGESTED)
        ).scalar_one()
        # Still to go: an outbox row not yet sent nor failed for good. Call tasks have no outbox
        # row (nobody sends them); a failed send is counted with the failures below.
        yours = conn.execute(
            sa.select(sa.func.count())
            .select_from(Reminder)
            .join(Outbox, col(Outbox.reminder_id) == col(Reminder.id))
            .where(
                col(Reminder.decided_by) == user,
                col(Reminder.state) == ReminderState.APPROVED,
                col(Outbox.state) == OutboxState.PENDING,
            )
        ).scalar_one()
        failed = conn.execute(
            sa.select(sa.func.count())
            .select_from(Outbox)
            .where(col(Outbox.state) == OutboxState.FAILED)
        ).scalar_one()
        return Home(
            today=today,
            currencies=_figures(session, report, today),
            awaiting=awaiting,
            yours_pending=yours,
            promises_this_week=promise_lines(
                session,
                col(Promise.state) == PromiseState.OPEN,
                col(Promise.promised_date) >= today,
                col(Promise.promised_date) <= today + timedelta(days=7),
            ),
            promises_broken=promise_lines(session, promises.broken_and_not_renewed()),
            failed_sends=failed,
        )
