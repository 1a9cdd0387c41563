"""Suggestions overtaken by what a person recorded about their customer. A reminder still
awaiting approval that chases an invoice now disputed or promised, or a customer now held,
asks for what no longer holds: it expires at once, with why, so neither its card nor its
worklist row offers to approve it, and the policy does not approve it by itself. The next
morning decides afresh. It is the same move as a suggestion that lapses before it is written
(services/drafting.py)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.domain.states import ReminderState, move
from bot.models import Reminder
from bot.services import audit
from bot.services.queries import in_sources, listed, stored_id

log = logging.getLogger(__name__)

WHOLE_ACCOUNT = None  # what a hold on the customer overtakes: every invoice


@dataclass(frozen=True)
class Touched:
    """A customer's reminders that were awaiting a decision: each card and worklist row shows
    something new (those that expired, and the others' flags)."""

    reminders: tuple[int, ...]
    owners: tuple[str, ...]  # whose worklists list them (the unowned's page is no one's)


def expire(
    session: Session, reasons: Mapping[int, str], actor: str, *where: sa.ColumnElement[bool]
) -> None:
    """Expire these suggestions, each with why (on its card, and in the audit trail); those
    decided meanwhile, or not matching `where`, are left as they are."""
    expiring = move(ReminderState.EXPIRED)
    for reminder_id, reason in reasons.items():
        done = session.exec(
            sa.update(Reminder)
            .where(col(Reminder.id) == reminder_id, in_sources(Reminder.state, expiring), *where)
            .values(state=expiring.target, skip_reason=reason)
        )
        if not done.rowcount:
            continue
        reminder = session.get(Reminder, reminder_id, populate_existing=True)
        assert reminder is not None
        log.info("reminder %s expired: %s", reminder_id, reason)
        audit.append(
            session,
            audit.NewEvent.about(reminder, "expired", actor, stage=reminder.stage, reason=reason),
        )


def overtake(
    session: Session,
    customer_id: int,
    numbers: Collection[str] | None,
    actor: str,
    reason: str,
) -> Touched:
    """`actor` just recorded what takes `numbers` (WHOLE_ACCOUNT: every invoice) off the
    ladder, in the caller's transaction: the customer's suggestions chasing any of them
    expire with `reason`."""
    rows = (
        session.connection()
        .execute(
            sa.select(col(Reminder.id), col(Reminder.owner))
            .where(
                col(Reminder.customer_id) == customer_id,
                col(Reminder.state) == ReminderState.SUGGESTED,
            )
            .order_by(col(Reminder.id))
        )
        .all()
    )
    waiting = [stored_id(reminder_id) for reminder_id, _owner in rows]
    chased = listed(session.connection(), waiting)
    stale = [
        reminder_id
        for reminder_id in waiting
        if numbers is WHOLE_ACCOUNT or not set(numbers).isdisjoint(chased.get(reminder_id, ()))
    ]
    expire(session, dict.fromkeys(stale, reason), actor)
    return Touched(tuple(waiting), tuple(sorted({owner for _id, owner in rows if owner})))
