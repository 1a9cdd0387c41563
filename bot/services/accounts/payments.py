"""After an import shows invoices paid: cancel what would still chase them, and suggest a
thank-you for those that had fallen overdue (approved like any other message)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import insert_rows, new_ids, unit_of_work
from bot.domain.follow_up import cancelled_by_payment, deserves_thanks
from bot.domain.states import OutboxState, ReminderState, move, transition
from bot.models import Customer, Invoice, Outbox, Reminder, ReminderInvoice
from bot.services import audit
from bot.services.common.queries import chunks, id_of, in_sources, is_open, listed
from bot.services.reminders.compose import Composer

#: What a payment in full cancels: reminders not yet sent
CANCELLING = move(ReminderState.CANCELLED)
_THANKS = ("id", "customer_id", "run_date", "stage", "channel", "language", "wording", "drafted")


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
    """Cancel what chases the invoices paid off, and suggest the thank-you notes. A note is
    stored undrafted, like the morning's suggestions: its words are written when someone first
    opens or approves it (`drafting.write_pending`), so a statement paying ten thousand
    customers stores ten thousand rows instead of writing ten thousand e-mails."""
    if not paid_numbers:
        return PaymentFollowUp([], [])
    with unit_of_work(engine) as session, audit.batched(session):
        paid = {
            i.number: i
            for batch in chunks(sorted(set(paid_numbers)))
            for i in session.exec(select(Invoice).where(col(Invoice.number).in_(batch)))
        }
        cancelled = _cancel_chasers(session, paid, actor)
        overdue_paid: dict[int, list[Invoice]] = defaultdict(list)
        for invoice in paid.values():
            if deserves_thanks(invoice.due_date, run_date):
                overdue_paid[invoice.customer_id].append(invoice)
        thanks = _suggest_thanks(session, composer, overdue_paid, run_date, actor)
        return PaymentFollowUp(cancelled, thanks)


def _cancel_chasers(session: Session, paid: dict[str, Invoice], actor: str) -> list[int]:
    """The reminders still to go out to the payers that chase only what is now paid."""
    cancelled: list[int] = []
    # The reminders still to go out to the payers, then their lists by primary key: an
    # invoice's reminders are found through its customer, never by scanning every list a
    # morning ever wrote.
    payers = sorted({i.customer_id for i in paid.values()})
    candidates = [
        reminder
        for batch in chunks(payers)
        for reminder in session.exec(
            select(Reminder)
            .where(
                col(Reminder.customer_id).in_(batch),
                in_sources(Reminder.state, CANCELLING),
                col(Reminder.stage) != "thanks",
            )
            .order_by(col(Reminder.id))
        ).all()
    ]
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


def _suggest_thanks(
    session: Session,
    composer: Composer,
    overdue_paid: dict[int, list[Invoice]],
    run_date: date,
    actor: str,
) -> list[int]:
    """One undrafted thank-you per customer and day, in bulk, each with its audit event."""
    customers = sorted(overdue_paid)
    thanked = {
        customer_id
        for batch in chunks(customers)
        for customer_id in session.exec(
            select(Reminder.customer_id).where(
                col(Reminder.customer_id).in_(batch),
                col(Reminder.run_date) == run_date,
                col(Reminder.stage) == "thanks",
            )
        )
    }
    languages = {
        customer_id: language
        for batch in chunks(customers)
        for customer_id, language in session.exec(
            select(Customer.id, Customer.language).where(col(Customer.id).in_(batch))
        )
    }
    due = [c for c in customers if c not in thanked]
    ids = new_ids(session.connection(), Reminder, len(due))
    rows: list[tuple[object, ...]] = []
    listing: list[tuple[int, int, str]] = []
    events: list[audit.NewEvent] = []
    for key, customer_id in zip(ids, due, strict=True):
        numbers = tuple(i.number for i in overdue_paid[customer_id])
        language = composer.templates.language_for("email", languages[customer_id])
        rows.append(
            (key, customer_id, run_date, "thanks", "email", language, f"{language}/thanks", False)
        )
        listing.extend(ReminderInvoice.rows(key, numbers))
        events.append(
            audit.NewEvent(
                kind="suggested",
                actor=actor,
                customer_id=customer_id,
                invoice_numbers=numbers,
                channel="email",
                content={"reminder": key, "stage": "thanks"},
            )
        )
    conn = session.connection()
    insert_rows(conn, Reminder, _THANKS, rows)
    insert_rows(conn, ReminderInvoice, ReminderInvoice.COLUMNS, listing)
    audit.append_many(session, events)
    return ids
