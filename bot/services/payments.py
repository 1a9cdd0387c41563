"""After an import shows invoices paid: cancel what would still chase them, and suggest a
thank-you for those that had fallen overdue (approved like any other message)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import unit_of_work
from bot.domain.follow_up import cancelled_by_payment, deserves_thanks
from bot.domain.money import Money
from bot.domain.states import OutboxState, ReminderState, move, transition
from bot.models import Customer, Invoice, Outbox, Reminder, ReminderInvoice
from bot.services import audit
from bot.services.compose import Composer
from bot.services.lookup import open_invoices
from bot.services.queries import get, id_of, in_sources, is_open, listed

#: What a payment in full cancels: reminders not yet sent
CANCELLING = move(ReminderState.CANCELLED)


@dataclass(frozen=True)
class PaymentFollowUp:
    cancelled: list[int]  # reminder ids
    thanks: list[int]


def follow_up_payments(
    engine: Engine,
    composer: Composer,
    paid_numbers: tuple[str, ...],
    run_date: date,
    actor: str = "relance",
) -> PaymentFollowUp:
    if not paid_numbers:
        return PaymentFollowUp([], [])
    with unit_of_work(engine) as session:
        paid = {
            i.number: i
            for i in session.exec(select(Invoice).where(col(Invoice.number).in_(paid_numbers)))
        }
        cancelled = _cancel_paid_reminders(session, paid, actor)
        thanks = _thank_payers(session, composer, paid, run_date, actor)
        return PaymentFollowUp(cancelled, thanks)


def _cancel_paid_reminders(session: Session, paid: dict[str, Invoice], actor: str) -> list[int]:
    """The reminders still to go out that the payments settled in full: cancelled, with their
    outgoing e-mail."""
    cancelled: list[int] = []
    # The reminders still to go out to the payers, then their lists by primary key: an
    # invoice's reminders are found through its customer, never by scanning every list a
    # morning ever wrote.
    candidates = session.exec(
        select(Reminder)
        .where(
            col(Reminder.customer_id).in_(sorted({i.customer_id for i in paid.values()})),
            in_sources(Reminder.state, CANCELLING),
            col(Reminder.stage) != "thanks",
        )
        .order_by(col(Reminder.id))
    ).all()
    lists = listed(session.connection(), [id_of(r) for r in candidates])
    for reminder in candidates:
        numbers = lists.get(id_of(reminder), ())
        if paid.keys().isdisjoint(numbers):
            continue
        still_open = session.exec(
            select(Invoice.number).where(col(Invoice.number).in_(numbers), is_open())
        ).all()
        if not cancelled_by_payment(numbers, paid, still_open):
            continue
        reminder.state = transition(reminder.state, ReminderState.CANCELLED)
        stopping = move(OutboxState.CANCELLED)
        session.exec(
            sa.update(Outbox)
            .where(col(Outbox.reminder_id) == reminder.id, in_sources(col(Outbox.state), stopping))
            .values(state=stopping.target)
        )
        cancelled.append(id_of(reminder))
        audit.append(
            session, audit.NewEvent.about(reminder, "cancelled", actor, why="paid in full")
        )

    return cancelled


def _thank_payers(
    session: Session, composer: Composer, paid: dict[str, Invoice], run_date: date, actor: str
) -> list[int]:
    """A thank-you note suggested, once a day, to each customer who paid an overdue invoice."""
    overdue_paid: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in paid.values():
        if deserves_thanks(invoice.due_date, run_date):
            overdue_paid[invoice.customer_id].append(invoice)
    thanks: list[int] = []
    for customer_id, invoices in sorted(overdue_paid.items()):
        exists = session.exec(
            select(Reminder.id).where(
                col(Reminder.customer_id) == customer_id,
                col(Reminder.run_date) == run_date,
                col(Reminder.stage) == "thanks",
            )
        ).first()
        if exists:
            continue
        customer = get(session, Customer, customer_id)
        draft = composer.thanks(
            customer,
            [(i.number, Money.of_minor(i.amount_minor, i.currency)) for i in invoices],
            [  # what remains open, so the note never reads as "all settled" when it is not
                (
                    i.number,
                    Money.of_minor(i.amount_minor - i.paid_minor, i.currency),
                    i.due_date,
                )
                for i in open_invoices(session, customer_id)
            ],
        )
        reminder = Reminder(
            customer_id=customer_id,
            run_date=run_date,
            stage="thanks",
            channel="email",
            language=draft.language,
            wording=draft.wording,
            invoices=ReminderInvoice.listing(i.number for i in invoices),
            subject=draft.subject,
            body_text=draft.text,
            body_html=draft.html,
        )
        session.add(reminder)
        session.flush()
        thanks.append(id_of(reminder))
        audit.append(
            session,
            audit.NewEvent(
                kind="suggested",
                actor=actor,
                customer_id=customer_id,
                invoice_numbers=tuple(i.number for i in invoices),
                channel="email",
                content={"reminder": reminder.id, "stage": "thanks", "subject": draft.subject},
            ),
        )
    return thanks
