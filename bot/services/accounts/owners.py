"""Owners: who chases a customer. Assigning moves the customer's undecided reminders of the
day to the new owner's worklist at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.db import unit_of_work
from bot.domain.owners import OwnerError, parse_owner
from bot.domain.states import ReminderState
from bot.models import Reminder
from bot.rendering.staff_text import N_
from bot.services import audit
from bot.services.common.errors import Invalid
from bot.services.common.lookup import find_customer


@dataclass(frozen=True)
class Assigned:
    customer: str
    owner: str
    before: str
    moved: int  # today's undecided reminders now on the new owner's worklist


def assign(engine: Engine, query: str, owner_text: str, user: str, today: date) -> Assigned:
    try:
        owner = parse_owner(owner_text)
    except OwnerError as exc:
        raise Invalid(exc.phrase) from None
    if not owner:
        raise Invalid(N_("Whom to? Mention the person, e.g. `@camille`."))
    with unit_of_work(engine) as session:
        customer = find_customer(session, query)
        before, customer.owner = customer.owner, owner
        moved = session.exec(
            sa.update(Reminder)
            .where(
                col(Reminder.customer_id) == customer.id,
                col(Reminder.run_date) == today,
                col(Reminder.state) == ReminderState.SUGGESTED,
            )
            .values(owner=owner)
        ).rowcount
        audit.append(
            session,
            audit.NewEvent(
                kind="assign",
                actor=user,
                customer_id=customer.id,
                content={"owner": owner, "before": before},
            ),
        )
        return Assigned(customer.name, owner, before, moved)
