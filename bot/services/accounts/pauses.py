"""Pausing a customer's reminders (indefinitely or until a date), and resuming them. A
person's pause stops at once what it overtakes (services/overtaken.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import unit_of_work
from bot.domain.escalation import paused_detail
from bot.domain.overtaking import WHOLE_ACCOUNT
from bot.models import Customer
from bot.rendering.staff_text import phrase
from bot.services import audit
from bot.services.common.errors import Invalid
from bot.services.common.lookup import find_customer
from bot.services.common.queries import id_of
from bot.services.inbox.replies_waiting import mark_handled
from bot.services.reminders.overtaken import Touched, overtake


@dataclass(frozen=True)
class Paused:
    """Whose reminders a pause or a resume changed, for the reply (never the row itself)."""

    customer_id: int
    name: str
    until: date | None = None


def pause(
    engine: Engine, query: str, user: str, until: date | None, today: date
) -> tuple[Paused, Touched]:
    """The customer paused, and their reminders it touched (the undecided ones expired, the
    approved e-mails still queued stopped), for their cards and worklists."""
    if until is not None and until < today:
        raise Invalid(
            phrase("{date} is in the past: pause until today or later.", date=until.isoformat())
        )
    with unit_of_work(engine) as session:
        customer = find_customer(session, query)
        hold(session, customer, user, until)
        fact = paused_detail(until)
        touched = overtake(session, id_of(customer), WHOLE_ACCOUNT, user, fact)
        return Paused(id_of(customer), customer.name, until), touched


def hold(
    session: Session, customer: Customer, user: str, until: date | None, reason: str = ""
) -> None:
    """The pause itself, inside the caller's transaction (a reply read from the mailbox holds
    the ladder in the same transaction that records it)."""
    customer.paused, customer.paused_until = True, until
    content: dict[str, str | None] = {"until": until.isoformat() if until else None}
    if reason:
        content["reason"] = reason
    audit.append(
        session,
        audit.NewEvent(kind="pause", actor=user, customer_id=customer.id, content=content),
    )


def resume(engine: Engine, query: str, user: str) -> Paused:
    with unit_of_work(engine) as session:
        customer = find_customer(session, query)
        if not customer.paused:
            raise Invalid(phrase("{customer} is not paused.", customer=customer.name))
        customer.paused, customer.paused_until = False, None
        audit.append(session, audit.NewEvent(kind="resume", actor=user, customer_id=customer.id))
        mark_handled(session, user, customer_id=customer.id)  # read, and the ladder goes on
        return Paused(id_of(customer), customer.name)
