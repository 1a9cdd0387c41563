"""Logging a phone call: its outcome and notes, and any promise the customer made on it (which
stops the reminders it overtakes, as a promise recorded anywhere else does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import read_only, unit_of_work
from bot.domain.aging import days_overdue
from bot.domain.calls import OUTCOMES, outcome_key
from bot.domain.states import ReminderState, allowed, transition
from bot.models import Contact, Customer, Reminder, utcnow
from bot.rendering.staff_text import N_, phrase
from bot.services import audit
from bot.services.accounts.promises import check_date, promise_on_account
from bot.services.common.errors import Invalid
from bot.services.common.lookup import find_customer, open_invoices
from bot.services.common.queries import id_of
from bot.services.reminders.overtaken import NOTHING, Touched


@dataclass(frozen=True)
class CallLogged:
    customer: str
    outcome: str
    touched: Touched  # the call task, and the customer's reminders a promise touched


def parse_outcome(text: str) -> str:
    key = outcome_key(text)
    if key is None:
        raise Invalid(
            "outcome",
            phrase(
                "Outcome {text}? Use one of: {outcomes}.",
                text=repr(text),
                outcomes=", ".join(OUTCOMES),
            ),
        )
    return key


@dataclass(frozen=True)
class CallForm:
    """What the call form opens with."""

    customer: str
    customer_ref: str  # the external id the form sends back
    reminder_id: int | None
    outcome: str | None


def call_form(
    engine: Engine,
    *,
    reminder_id: int | None = None,
    customer_query: str = "",
    outcome: str | None = None,
) -> CallForm:
    """The form for a call card's task (`reminder_id`) or for a customer typed by name."""
    with read_only(engine) as session:
        if reminder_id is not None:
            reminder = session.get(Reminder, reminder_id)
            if reminder is None:
                raise Invalid(phrase("No reminder {reminder}.", reminder=reminder_id))
            customer = session.get(Customer, reminder.customer_id)
        else:
            customer = find_customer(session, customer_query)
    assert customer is not None  # a reminder's customer is a foreign key
    return CallForm(customer.name, customer.external_id, reminder_id, outcome)


def log_call(
    engine: Engine,
    customer_query: str,
    user: str,
    outcome: str,
    today: date,
    *,
    notes: str = "",
    promise_date: date | None = None,
    amount: Decimal | None = None,
    reminder_id: int | None = None,
    now: datetime | None = None,
) -> CallLogged:
    outcome = parse_outcome(outcome)
    if promise_date is not None:
        check_date(promise_date, today)
        if outcome != "reached":
            raise Invalid("promise_date", N_("A promise needs the customer reached on the call."))
    if amount is not None and promise_date is None:
        raise Invalid("amount", N_("An amount promised needs a promise date too."))
    with unit_of_work(engine) as session:
        customer: Customer = find_customer(session, customer_query)
        reminder = session.get(Reminder, reminder_id) if reminder_id else None
        if reminder is not None and reminder.customer_id != customer.id:
            raise Invalid(N_("That call task belongs to another customer."))
        session.add(
            Contact(
                customer_id=id_of(customer),
                occurred_at=now or utcnow(),
                channel="phone",
                stage="call",
                outcome=outcome,
                notes=notes,
                reminder_id=reminder_id,
                actor=user,
            )
        )
        touched = _call_task_done(reminder, user, now) if reminder is not None else NOTHING
        if promise_date is not None:
            touched |= _promised(session, customer, today, promise_date, amount, user)
        audit.append(
            session,
            audit.NewEvent(
                kind="call",
                actor=user,
                customer_id=customer.id,
                channel="phone",
                content={
                    "outcome": outcome,
                    "notes": notes,
                    "reminder": reminder_id,
                    "promise_date": promise_date.isoformat() if promise_date else None,
                    "amount": str(amount) if amount is not None else None,
                },
            ),
        )
        return CallLogged(customer.name, outcome, touched)


def _call_task_done(reminder: Reminder, user: str, now: datetime | None) -> Touched:
    """The call task done (unless it was already decided otherwise): on its card and its
    owner's worklist."""
    if allowed(ReminderState(reminder.state), ReminderState.DONE):
        reminder.state = transition(reminder.state, ReminderState.DONE)
        reminder.sent_at = now or utcnow()
        reminder.decided_by = reminder.decided_by or user
    return Touched((id_of(reminder),), (reminder.owner,) if reminder.owner else ())


def _promised(
    session: Session,
    customer: Customer,
    today: date,
    promise_date: date,
    amount: Decimal | None,
    user: str,
) -> Touched:
    """A promise made on the call, on the overdue invoices (else every open one)."""
    overdue = [
        i for i in open_invoices(session, id_of(customer)) if days_overdue(i.due_date, today) > 0
    ] or open_invoices(session, id_of(customer))
    if not overdue:
        raise Invalid(
            "promise_date",
            phrase("{customer} has no open invoice to promise.", customer=customer.name),
        )
    return promise_on_account(session, overdue, promise_date, amount, user).touched
