"""Logging a phone call: its outcome and notes, and any promise the customer made on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.engine import Engine

from bot.db import unit_of_work
from bot.domain.aging import days_overdue
from bot.models import Contact, Customer, Reminder, utcnow
from bot.services import audit
from bot.services.errors import Invalid
from bot.services.lookup import find_customer, open_invoices
from bot.services.promises import check_date, promise_on_account

OUTCOMES = {
    "reached": "Reached",
    "voicemail": "Left a voicemail",
    "no_answer": "No answer",
    "wrong_number": "Wrong number",
}


@dataclass(frozen=True)
class CallLogged:
    customer: str
    outcome: str
    promised: int  # invoices now under a promise


def parse_outcome(text: str) -> str:
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in OUTCOMES:
        raise Invalid(f"Outcome {text!r}? Use one of: {', '.join(OUTCOMES)}.")
    return key


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
            raise Invalid("A promise needs the customer reached on the call.")
    if amount is not None and promise_date is None:
        raise Invalid("An amount promised needs a promise date too.")
    with unit_of_work(engine) as session:
        customer: Customer = find_customer(session, customer_query)
        reminder = session.get(Reminder, reminder_id) if reminder_id else None
        if reminder is not None and reminder.customer_id != customer.id:
            raise Invalid("That call task belongs to another customer.")
        session.add(
            Contact(
                customer_id=customer.id,
                occurred_at=now or utcnow(),
                channel="phone",
                stage="call",
                outcome=outcome,
                notes=notes,
                reminder_id=reminder_id,
                actor=user,
            )
        )
        if reminder is not None and reminder.state in ("suggested", "approved"):
            reminder.state, reminder.sent_at = "done", now or utcnow()
            reminder.decided_by = reminder.decided_by or user
        promises = []
        if promise_date is not None:
            overdue = [
                i
                for i in open_invoices(session, customer.id)
                if days_overdue(i.due_date, today) > 0
            ] or open_invoices(session, customer.id)
            if not overdue:
                raise Invalid(f"{customer.name} has no open invoice to promise.")
            promises = promise_on_account(session, overdue, promise_date, amount, user)
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
        return CallLogged(customer.name, outcome, len(promises))
