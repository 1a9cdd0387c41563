"""Replies waiting: a customer's reply that no person has acted on yet. The ladder holds while
one waits, and the card and the Home's row show how many, so nobody approves a reminder
without having read what the customer wrote. A person acts on a reply by answering it,
recording a dispute or promise from it, noting that the customer says they paid, or resuming
the customer's reminders."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.db import read_only
from bot.domain.inbound import PERSON_WROTE
from bot.domain.states import ReminderState
from bot.models import InboundMessage, Reminder, utcnow
from bot.services.common.queries import stored_id, stored_ids

WAITING = (
    col(InboundMessage.kind).in_([k.value for k in PERSON_WROTE]),
    col(InboundMessage.handled_at).is_(None),
)


def count_waiting(conn: sa.Connection, customers: list[int]) -> dict[int, int]:
    """Each customer's replies waiting (customers with none are left out), in one query."""
    return {
        stored_id(customer_id): count
        for customer_id, count in conn.execute(
            sa.select(col(InboundMessage.customer_id), sa.func.count())
            .where(col(InboundMessage.customer_id).in_(customers), *WAITING)
            .group_by(col(InboundMessage.customer_id))
        ).all()
    }


def mark_handled(
    session: Session, user: str, *, inbound_id: int | None = None, customer_id: int | None = None
) -> None:
    """The reply `inbound_id`, or every reply waiting from `customer_id`, acted on by `user`
    (inside the caller's transaction: the action and its mark commit together)."""
    target = (
        col(InboundMessage.id) == inbound_id
        if inbound_id is not None
        else col(InboundMessage.customer_id) == customer_id
    )
    session.execute(
        sa.update(InboundMessage)
        .where(target, *WAITING)
        .values(handled_at=utcnow(), handled_by=user[:40])
    )


def undecided_cards(engine: Engine, customers: list[int]) -> list[int]:
    """The reminders of these customers still awaiting a decision that have a card: what a
    card says about their replies changes when one arrives or is acted on."""
    if not customers:
        return []
    with read_only(engine) as session:
        return stored_ids(
            session.connection()
            .execute(
                sa.select(col(Reminder.id)).where(
                    col(Reminder.customer_id).in_(customers),
                    col(Reminder.state) == ReminderState.SUGGESTED,
                    col(Reminder.slack_ts) != "",
                )
            )
            .scalars()
        )
