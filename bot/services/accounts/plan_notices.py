"""A payment plan told to the customer: the schedule once it is agreed, a note a few days
before each instalment, and a notice when one is missed. Each is a suggested reminder with its
texts written in the customer's language — approved, edited or skipped like any e-mail, on a
card, in the audit trail — and none is a chase: a plan's notices never stand in for the
ladder's reminder, nor are they stopped by the plan that holds the ladder."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only
from bot.domain.money import Money
from bot.models import Customer, Instalment, PaymentPlan, Reminder, ReminderInvoice
from bot.services import audit
from bot.services.common.queries import get, id_of
from bot.services.inbox.threads import ConversationTarget, conversation_target
from bot.services.reminders.compose import Composer

#: each notice's stage, as its reminder is stored (`Reminder.stage`)
STAGES = {"confirmed": "plan-confirmed", "due": "plan-due", "missed": "plan-missed"}
#: how many days before an instalment its note is suggested
DUE_NOTICE_DAYS = 3


def card_target(engine: Engine, reminder_id: int, digest_channel: str) -> ConversationTarget | None:
    """Where a notice's card goes when posted at once: where the customer's news go (the
    thread of their latest card, else their owner, else the digest channel)."""
    with read_only(engine) as session:
        customer_id = get(session, Reminder, reminder_id).customer_id
        return conversation_target(session, customer_id, digest_channel=digest_channel)


def schedule_of(session: Session, plan: PaymentPlan) -> list[tuple[date, Money]]:
    return [
        (i.due_date, Money.of_minor(i.amount_minor, plan.currency))
        for i in session.exec(
            select(Instalment)
            .where(col(Instalment.plan_id) == plan.id)
            .order_by(col(Instalment.due_date))
        )
    ]


def suggest_notice(
    session: Session,
    composer: Composer,
    plan: PaymentPlan,
    kind: str,
    run_date: date,
    actor: str,
    due: date | None = None,
) -> int | None:
    """The plan's `kind` of notice as a reminder awaiting approval, in the caller's
    transaction; None when the customer has that notice on that day already."""
    stage = STAGES[kind]
    if session.exec(
        select(Reminder.id).where(
            col(Reminder.customer_id) == plan.customer_id,
            col(Reminder.run_date) == run_date,
            col(Reminder.stage) == stage,
        )
    ).first():
        return None
    customer = get(session, Customer, plan.customer_id)
    draft = composer.plan_notice(customer, kind, schedule_of(session, plan), due)
    numbers = plan.numbers
    reminder = Reminder(
        customer_id=plan.customer_id,
        run_date=run_date,
        stage=stage,
        channel="email",
        language=draft.language,
        wording=draft.wording,
        invoices=ReminderInvoice.listing(numbers),
        subject=draft.subject,
        body_text=draft.text,
        body_html=draft.html,
        original_subject=draft.subject,
        original_body_text=draft.text,
        owner=customer.owner,  # on the worklist of whoever chases this customer
    )
    session.add(reminder)
    session.flush()
    audit.append(
        session,
        audit.NewEvent(
            kind="suggested",
            actor=actor,
            customer_id=plan.customer_id,
            invoice_numbers=numbers,
            channel="email",
            content={
                "reminder": reminder.id,
                "stage": stage,
                "plan": plan.id,
                "instalment_due": due.isoformat() if due else None,
                "subject": draft.subject,
            },
        ),
    )
    return id_of(reminder)


def due_soon(next_due: date | None, today: date) -> bool:
    return next_due is not None and 0 <= (next_due - today).days <= DUE_NOTICE_DAYS


def noted_since(session: Session, customer_id: int, since: date) -> bool:
    """Whether the customer's note before an instalment was suggested on or after `since`."""
    return (
        session.exec(
            select(Reminder.id).where(
                col(Reminder.customer_id) == customer_id,
                col(Reminder.stage) == STAGES["due"],
                col(Reminder.run_date) >= since,
            )
        ).first()
        is not None
    )


def before_instalment(
    session: Session, composer: Composer, plan: PaymentPlan, next_due: date, today: date
) -> int | None:
    """The note before the instalment due `next_due`: once per instalment."""
    if noted_since(session, plan.customer_id, next_due - timedelta(days=DUE_NOTICE_DAYS)):
        return None
    return suggest_notice(session, composer, plan, "due", today, "relance", next_due)
