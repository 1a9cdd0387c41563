"""Reminders overtaken by what was recorded about their customer. A reminder still awaiting
approval that chases an invoice now disputed or promised, or a customer now held, asks for
what no longer holds: it expires at once, with why, so neither its card nor its worklist row
offers to approve it, and the policy does not approve it by itself. The next morning decides
afresh. It is the same move as a suggestion that lapses before it is written
(services/drafting.py).

An e-mail already approved but still queued (waiting for the customer's business hours, or for
a retry) would say the same stale thing: it is cancelled before it leaves, with why. Only a
row no sender holds is cancelled: one claimed may be on the wire already, and a claim lapsed
by a sender's death may have been sent (outbox.py), so it is left to go exactly once."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.domain.states import OutboxState, ReminderState, move, transition
from bot.models import InboundMessage, Outbox, Reminder
from bot.services import audit
from bot.services.queries import in_sources, listed, stored_id
from bot.services.suggestions import FOLLOW_UP_STAGES

log = logging.getLogger(__name__)

WHOLE_ACCOUNT = None  # what a hold on the customer overtakes: every invoice


@dataclass(frozen=True)
class Touched:
    """A customer's reminders whose card and worklist row show something new: those that
    were awaiting a decision (the expired ones, and the others' flags) and the queued ones
    stopped."""

    reminders: tuple[int, ...]
    owners: tuple[str, ...]  # whose worklists list them (the unowned's page is no one's)

    def __or__(self, other: Touched) -> Touched:
        """Shown together: a call's task and its promise, a dispute on several invoices."""
        return Touched(
            tuple(sorted({*self.reminders, *other.reminders})),
            tuple(sorted({*self.owners, *other.owners})),
        )


NOTHING = Touched((), ())


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


def _chasing(
    session: Session, rows: list[tuple[int, str]], numbers: Collection[str] | None
) -> list[int]:
    """Those of these reminders (id, owner) that chase any of `numbers`."""
    chased = listed(session.connection(), [reminder_id for reminder_id, _owner in rows])
    return [
        reminder_id
        for reminder_id, _owner in rows
        if numbers is WHOLE_ACCOUNT or not set(numbers).isdisjoint(chased.get(reminder_id, ()))
    ]


def _stop_queued(
    session: Session, customer_id: int, numbers: Collection[str] | None, actor: str, reason: str
) -> list[tuple[int, str]]:
    """Cancel the customer's approved reminders chasing `numbers` whose e-mail no sender holds
    yet; returns those cancelled (id, owner). A thank-you and a person's answer to the
    customer chase nothing: they go."""
    rows = [
        (stored_id(reminder_id), owner)
        for reminder_id, owner in session.connection().execute(
            sa.select(col(Reminder.id), col(Reminder.owner))
            .join(Outbox, col(Outbox.reminder_id) == col(Reminder.id))
            .where(
                col(Reminder.customer_id) == customer_id,
                col(Reminder.state) == ReminderState.APPROVED,
                col(Reminder.stage).not_in(FOLLOW_UP_STAGES),
                ~sa.exists().where(col(InboundMessage.reply_reminder_id) == col(Reminder.id)),
                col(Outbox.state) == OutboxState.PENDING,
                col(Outbox.claimed_by) == "",
            )
            .order_by(col(Reminder.id))
        )
    ]
    stopping = move(OutboxState.CANCELLED)
    stopped = []
    for reminder_id in _chasing(session, rows, numbers):
        # a sender's claim wins: on PostgreSQL this waits for a claim under way, then re-reads
        if not session.exec(
            sa.update(Outbox)
            .where(
                col(Outbox.reminder_id) == reminder_id,
                in_sources(Outbox.state, stopping),
                col(Outbox.claimed_by) == "",
            )
            .values(state=stopping.target)
        ).rowcount:
            continue
        reminder = session.get(Reminder, reminder_id, populate_existing=True)
        assert reminder is not None  # the outbox row's foreign key
        reminder.state = transition(reminder.state, ReminderState.CANCELLED)
        reminder.skip_reason = reason
        log.info("reminder %s stopped before it left: %s", reminder_id, reason)
        audit.append(session, audit.NewEvent.about(reminder, "cancelled", actor, why=reason))
        stopped.append((reminder_id, reminder.owner))
    return stopped


def overtake(
    session: Session,
    customer_id: int,
    numbers: Collection[str] | None,
    actor: str,
    fact: str,
) -> Touched:
    """`actor` just recorded `fact`, which takes `numbers` (WHOLE_ACCOUNT: every invoice) off
    the ladder, in the caller's transaction: the customer's suggestions chasing any of them
    expire, and their e-mails approved but not yet sent are stopped, each saying why."""
    session.flush()  # what the caller changed (a call task done) is not overtaken
    rows = [
        (stored_id(reminder_id), owner)
        for reminder_id, owner in session.connection().execute(
            sa.select(col(Reminder.id), col(Reminder.owner))
            .where(
                col(Reminder.customer_id) == customer_id,
                col(Reminder.state) == ReminderState.SUGGESTED,
            )
            .order_by(col(Reminder.id))
        )
    ]
    stale = _chasing(session, rows, numbers)
    expire(session, dict.fromkeys(stale, f"no longer holds: {fact}"), actor)
    stopped = _stop_queued(session, customer_id, numbers, actor, f"since its approval, {fact}")
    shown = rows + stopped
    return Touched(
        tuple(sorted(reminder_id for reminder_id, _owner in shown)),
        tuple(sorted({owner for _id, owner in shown if owner})),
    )
