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

from bot.domain.msgid import Phrase, phrase
from bot.domain.overtaking import chases_any, why_overtaken
from bot.domain.states import OutboxState, ReminderState, move, transition
from bot.models import InboundMessage, Outbox, Reminder
from bot.services import audit
from bot.services.common.customer_policy import Policies
from bot.services.common.queries import chunks, in_sources, listed, stored_id
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
    session: Session, reasons: Mapping[int, Phrase], actor: str, *where: sa.ColumnElement[bool]
) -> None:
    """Expire these suggestions, each with why (on its card, in the reader's language, and in
    the audit trail, in English); those
    decided meanwhile, or not matching `where`, are left as they are."""
    expiring = move(ReminderState.EXPIRED)
    for reminder_id, reason in reasons.items():
        done = session.exec(
            sa.update(Reminder)
            .where(col(Reminder.id) == reminder_id, in_sources(Reminder.state, expiring), *where)
            .values(state=expiring.target, skip_reason=reason.column())
        )
        if not done.rowcount:
            continue
        reminder = session.get(Reminder, reminder_id, populate_existing=True)
        assert reminder is not None
        log.info("reminder %s expired: %s", reminder_id, reason)
        audit.append(
            session,
            audit.NewEvent.about(
                reminder, "expired", actor, stage=reminder.stage, reason=str(reason)
            ),
        )


#: The approved reminders a fact can stop: a thank-you and a person's answer to the customer
#: chase nothing, so they go whatever was recorded.
_CHASING = (
    col(Reminder.stage).not_in(FOLLOW_UP_STAGES),
    ~sa.exists().where(col(InboundMessage.reply_reminder_id) == col(Reminder.id)),
)


def no_longer_holds(fact: Phrase) -> Phrase:
    """Why a suggestion expired: what was recorded since it was suggested."""
    return phrase("no longer holds: {fact}", fact=fact)


def _stop(
    session: Session, reminder_id: int, actor: str, reason: Phrase, *held: sa.ColumnElement[bool]
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
    reminder.skip_reason = reason.column()
    log.info("reminder %s stopped before it left: %s", reminder_id, reason)
    audit.append(session, audit.NewEvent.about(reminder, "cancelled", actor, why=str(reason)))
    return reminder


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
    reason = phrase("by the time it was to leave, {fact}", fact=fact)
    return _stop(session, reminder_id, "relance", reason, *held) is not None


def overtake(
    session: Session,
    customer_id: int,
    numbers: Collection[str] | None,
    actor: str,
    fact: Phrase,
) -> Touched:
    """`actor` just recorded `fact`, which takes `numbers` (`WHOLE_ACCOUNT`: every invoice) off
    the ladder, in the caller's transaction: the customer's suggestions chasing any of them
    expire, and their e-mails approved but not yet sent are stopped, each saying why."""
    return overtake_many(session, {customer_id: (numbers, fact)}, actor)


def overtake_many(
    session: Session, facts: Mapping[int, tuple[Collection[str] | None, Phrase]], actor: str
) -> Touched:
    """`overtake` for many customers at once (customer id → the invoices and the fact): their
    reminders read a batch of customers at a time, not one customer at a time (a bank
    statement pays thousands)."""
    session.flush()  # what the caller changed (a call task done) is not overtaken
    suggested = _live(session, sorted(facts), col(Reminder.state) == ReminderState.SUGGESTED)
    expire(
        session,
        {
            key: no_longer_holds(facts[customer][1])
            for key, _o, customer in _chasing(session, suggested, facts)
        },
        actor,
    )
    unclaimed = col(Outbox.claimed_by) == ""
    queued = _live(
        session,
        sorted(facts),
        col(Reminder.state) == ReminderState.APPROVED,
        *_CHASING,
        col(Outbox.state) == OutboxState.PENDING,
        unclaimed,
        join_outbox=True,
    )
    stopped = []
    for key, _owner, customer in _chasing(session, queued, facts):
        reason = phrase("since its approval, {fact}", fact=facts[customer][1])
        reminder = _stop(session, key, actor, reason, unclaimed)  # a sender's claim wins
        if reminder is not None:
            stopped.append((key, reminder.owner))
    shown = [(key, owner) for key, owner, _c in suggested] + stopped
    return Touched(
        tuple(sorted(reminder_id for reminder_id, _owner in shown)),
        tuple(sorted({owner for _id, owner in shown if owner})),
    )


def _live(
    session: Session,
    customers: list[int],
    *where: sa.ColumnElement[bool],
    join_outbox: bool = False,
) -> list[tuple[int, str, int]]:
    """(id, owner, customer) of these customers' reminders that `where` holds for."""
    query = sa.select(col(Reminder.id), col(Reminder.owner), col(Reminder.customer_id))
    if join_outbox:
        query = query.join(Outbox, col(Outbox.reminder_id) == col(Reminder.id))
    return [
        (stored_id(key), owner, customer)
        for batch in chunks(customers)
        for key, owner, customer in session.connection().execute(
            query.where(col(Reminder.customer_id).in_(batch), *where).order_by(col(Reminder.id))
        )
    ]


def _chasing(
    session: Session,
    rows: list[tuple[int, str, int]],
    facts: Mapping[int, tuple[Collection[str] | None, Phrase]],
) -> list[tuple[int, str, int]]:
    """Those of these reminders that chase any of their customer's invoices in `facts`."""
    chased = listed(session.connection(), [key for key, _owner, _c in rows])
    return [row for row in rows if chases_any(chased.get(row[0], ()), facts[row[2]][0])]
