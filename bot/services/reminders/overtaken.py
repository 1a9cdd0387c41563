"""Reminders overtaken by what was recorded about their customer. A reminder still awaiting
approval that chases an invoice now disputed or promised, or a customer now held, asks for
what no longer holds: it expires at once, with why, so neither its card nor its worklist row
offers to approve it, and the policy does not approve it by itself. The next morning decides
afresh. It is the same move as a suggestion that lapses before it is written
(services/drafting.py).

An e-mail already approved but still queued (waiting for the customer's business hours, or for
a retry) would say the same stale thing: it is cancelled before it leaves, with why. Only a
row no sender holds is cancelled: one claimed may be on the wire already, and a claim lapsed
by a sender's death may have been sent (outbox.py), so it is left to go exactly once. The
sender itself looks again just before sending (`stop_if_overtaken`), by the rules of
domain/overtaking.py: a fact recorded while it held the row stops it there."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.domain.overtaking import chases_any, why_overtaken
from bot.domain.states import OutboxState, ReminderState, move, transition
from bot.models import InboundMessage, Outbox, Reminder
from bot.services import audit
from bot.services.common.customer_policy import Policies
from bot.services.common.queries import in_sources, listed, stored_id
from bot.services.reminders.suggestions import FOLLOW_UP_STAGES, load_accounts

log = logging.getLogger(__name__)


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
        if chases_any(chased.get(reminder_id, ()), numbers)
    ]


#: The approved reminders a fact can stop: a thank-you and a person's answer to the customer
#: chase nothing, so they go whatever was recorded.
_CHASING = (
    col(Reminder.stage).not_in(FOLLOW_UP_STAGES),
    ~sa.exists().where(col(InboundMessage.reply_reminder_id) == col(Reminder.id)),
)


def _stop(
    session: Session, reminder_id: int, actor: str, reason: str, *held: sa.ColumnElement[bool]
) -> Reminder | None:
    """Cancel an approved reminder's queued e-mail, with why (on its card, and in the audit
    trail), if its outbox row is still pending and `held` (who holds it) is true of it."""
    stopping = move(OutboxState.CANCELLED)
    # on PostgreSQL this waits for a claim under way, then re-reads the row
    if not session.exec(
        sa.update(Outbox)
        .where(col(Outbox.reminder_id) == reminder_id, in_sources(Outbox.state, stopping), *held)
        .values(state=stopping.target)
    ).rowcount:
        return None
    reminder = session.get(Reminder, reminder_id, populate_existing=True)
    assert reminder is not None  # the outbox row's foreign key
    reminder.state = transition(reminder.state, ReminderState.CANCELLED)
    reminder.skip_reason = reason
    log.info("reminder %s stopped before it left: %s", reminder_id, reason)
    audit.append(session, audit.NewEvent.about(reminder, "cancelled", actor, why=reason))
    return reminder


def _stop_queued(
    session: Session, customer_id: int, numbers: Collection[str] | None, actor: str, reason: str
) -> list[tuple[int, str]]:
    """Cancel the customer's approved reminders chasing `numbers` whose e-mail no sender holds
    yet; returns those cancelled (id, owner)."""
    unclaimed = col(Outbox.claimed_by) == ""
    rows = [
        (stored_id(reminder_id), owner)
        for reminder_id, owner in session.connection().execute(
            sa.select(col(Reminder.id), col(Reminder.owner))
            .join(Outbox, col(Outbox.reminder_id) == col(Reminder.id))
            .where(
                col(Reminder.customer_id) == customer_id,
                col(Reminder.state) == ReminderState.APPROVED,
                *_CHASING,
                col(Outbox.state) == OutboxState.PENDING,
                unclaimed,
            )
            .order_by(col(Reminder.id))
        )
    ]
    stopped = []
    for reminder_id in _chasing(session, rows, numbers):
        reminder = _stop(session, reminder_id, actor, reason, unclaimed)  # a sender's claim wins
        if reminder is not None:
            stopped.append((reminder_id, reminder.owner))
    return stopped


def stop_if_overtaken(
    session: Session,
    reminder_id: int,
    policies: Policies,
    now: datetime,
    *held: sa.ColumnElement[bool],
) -> bool:
    """The sender's last look at an approved e-mail before it leaves: when what is recorded
    about its customer now overtakes it (`domain.overtaking.why_overtaken`: paid, paused or
    held, an invoice disputed or promised), it is cancelled instead, by Relance, with why —
    while `held` (the sender's claim) is true of its outbox row. True when it was stopped."""
    customer_id = session.connection().scalar(
        sa.select(col(Reminder.customer_id)).where(col(Reminder.id) == reminder_id, *_CHASING)
    )
    if customer_id is None:
        return False
    chased = listed(session.connection(), [reminder_id]).get(reminder_id, ())
    accounts = load_accounts(session, [customer_id])
    policy = policies.of_customer(session, customer_id)
    fact = why_overtaken(accounts[0][1] if accounts else None, chased, policy, now)
    if fact is None:
        return False
    reason = f"by the time it was to leave, {fact}"
    return _stop(session, reminder_id, "relance", reason, *held) is not None


def overtake(
    session: Session,
    customer_id: int,
    numbers: Collection[str] | None,
    actor: str,
    fact: str,
) -> Touched:
    """`actor` just recorded `fact`, which takes `numbers` (`WHOLE_ACCOUNT`: every invoice) off
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
