"""Where payment plans stand: the first instalment payments do not cover yet, and so until
when each active plan holds its invoices. Read by the morning (a plan on track holds like a
promise) and by settling plans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.domain.plans import next_due
from bot.domain.states import PlanState
from bot.models import Instalment, Invoice, PaymentPlan
from bot.services.common.queries import id_of


@dataclass(frozen=True)
class PlanStatus:
    plan_id: int
    customer_id: int
    invoice_numbers: tuple[str, ...]
    next_due: date | None  # the first instalment not yet covered by payments; None when done


def statuses(session: Session, plans: list[PaymentPlan]) -> list[PlanStatus]:
    """Where each plan stands, in three queries whatever the number of plans."""
    if not plans:
        return []
    numbers = {n for plan in plans for n in plan.numbers}
    paid: dict[str, int] = dict(
        session.connection()
        .execute(
            sa.select(col(Invoice.number), col(Invoice.paid_minor)).where(
                col(Invoice.number).in_(numbers)
            )
        )
        .all()
    )
    schedules: dict[int | None, list[Instalment]] = {plan.id: [] for plan in plans}
    for instalment in session.exec(
        select(Instalment)
        .where(col(Instalment.plan_id).in_(list(schedules)))
        .order_by(col(Instalment.plan_id), col(Instalment.due_date))
    ):
        schedules[instalment.plan_id].append(instalment)
    found = []
    for plan in plans:
        covered_numbers = plan.numbers
        paid_since = sum(paid.get(n, 0) for n in covered_numbers) - plan.paid_at_start_minor
        due = next_due([(i.due_date, i.amount_minor) for i in schedules[plan.id]], paid_since)
        found.append(PlanStatus(id_of(plan), plan.customer_id, covered_numbers, due))
    return found


def active_plans(session: Session) -> list[PaymentPlan]:
    return list(session.exec(select(PaymentPlan).where(col(PaymentPlan.state) == PlanState.ACTIVE)))


def holds(session: Session) -> dict[str, date]:
    """Invoice number → the date until which an active plan holds its reminders."""
    return {
        number: status.next_due
        for status in statuses(session, active_plans(session))
        if status.next_due is not None
        for number in status.invoice_numbers
    }
