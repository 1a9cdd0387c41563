"""Delivering approved messages exactly once, retrying failures, losing nothing.

A sender claims due rows for a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's write
lock serializes claims), renews the lease just before sending each one (a row whose lease
lapsed belongs to whoever claimed it next), and records the outcome only if its lease still
holds. A sender killed mid-send leaves a claim that expires; the row is claimed again and resent
with the same Message-ID. So does a connection lost once a message's data went out: the
server may have kept it.

Just before sending a row it claimed fresh (never sent, or given back after a failure that
proves it was not), a sender looks again at what is recorded about its customer now: a reminder
overtaken (paid, paused or held, an invoice disputed or promised) is cancelled with why
instead (services/overtaken.py). A row taken over from a lapsed claim may have left already,
so it is sent as approved, never decided again.

A message's own failures (a refused recipient, a message that cannot be built) are that
message's alone: retried with exponential backoff, each one an audit event; after the last
attempt the row is `failed` and shows in the digest. A failure of the server itself
(connection, greeting, login) pauses the whole outbox with backoff instead, charging no
message an attempt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.channels.email import (
    Email,
    SendFailed,
    SmtpSender,
    build_message,
)
from bot.config import Settings, load_policy, load_segments
from bot.db import unit_of_work
from bot.domain.outcomes import Delivery
from bot.domain.states import OutboxState, ReminderState, transition
from bot.models import Contact, Outbox, Reminder, utcnow
from bot.services import audit
from bot.services.common.customer_policy import Policies
from bot.services.common.queries import get, stored_id
from bot.services.delivery import copies
from bot.services.delivery._outbox_mail import _email
from bot.services.delivery._outbox_pause import OutboxPaused as OutboxPaused
from bot.services.delivery._outbox_pause import _pause, _resume, paused_until
from bot.services.page import page_links
from bot.services.reminders.overtaken import stop_if_overtaken

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)  # reminder ids
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)  # overtaken: cancelled, not sent
    paused_until: datetime | None = None  # the outbox is held back until then
    pause: OutboxPaused | None = None  # set when this pass was refused by the server
    resumed: bool = False  # this pass ended a pause

    @property
    def touched(self) -> list[int]:
        return self.sent + self.retrying + self.failed + self.cancelled

    def of(self, delivery: Delivery) -> list[int]:
        """The reminders this pass did `delivery` with."""
        return {
            Delivery.SENT: self.sent,
            Delivery.RETRYING: self.retrying,
            Delivery.FAILED: self.failed,
            Delivery.CANCELLED: self.cancelled,
        }[delivery]


class Claimed(NamedTuple):
    outbox_id: int
    taken_over: bool  # from a claim that lapsed: that sender may have sent it


def claim(
    engine: Engine, worker: str, now: datetime, limit: int = 20, lease: timedelta = LEASE
) -> list[Claimed]:
    with unit_of_work(engine) as session:
        due = (
            select(col(Outbox.id), col(Outbox.claimed_by))
            .where(
                col(Outbox.state) == OutboxState.PENDING,
                col(Outbox.next_attempt_at) <= now,
                sa.or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < now),
            )
            .order_by(col(Outbox.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = [
            Claimed(stored_id(row_id), bool(held_by)) for row_id, held_by in session.exec(due)
        ]
        if claimed:
            session.exec(
                sa.update(Outbox)
                .where(col(Outbox.id).in_([c.outbox_id for c in claimed]))
                .values(claimed_by=worker, claimed_until=now + lease)
            )
        return claimed


def _still_mine(session: Session, outbox_id: int, worker: str) -> Outbox | None:
    outbox = session.get(Outbox, outbox_id, populate_existing=True)
    if outbox is None or outbox.state != OutboxState.PENDING or outbox.claimed_by != worker:
        log.warning("lost the claim on outbox %s before recording its outcome", outbox_id)
        return None
    return outbox


def _record_sent(
    engine: Engine,
    outbox_id: int,
    worker: str,
    email: Email,
    found: copies.Enclosures,
    now: datetime,
    test_mode: bool,
) -> None:
    with unit_of_work(engine) as session:
        outbox = _still_mine(session, outbox_id, worker)
        if outbox is None:
            return
        reminder = get(session, Reminder, outbox.reminder_id)
        outbox.state = transition(outbox.state, OutboxState.SENT)
        outbox.sent_at, outbox.message_id = now, email.message_id
        outbox.attempts += 1
        outbox.claimed_by, outbox.claimed_until = "", None
        reminder.state, reminder.sent_at = transition(reminder.state, ReminderState.SENT), now
        if not test_mode:  # the customer heard nothing: the ladder must not move on
            session.add(
                Contact(
                    customer_id=reminder.customer_id,
                    occurred_at=now,
                    channel="email",
                    stage=reminder.stage,
                    wording=reminder.wording,
                    reminder_id=reminder.id,
                    actor=reminder.decided_by,
                )
            )
        audit.append(
            session,
            audit.NewEvent.about(
                reminder,
                "sent",
                "relance",
                to=email.to,
                subject=email.subject,
                text=email.text,
                message_id=email.message_id,
                attempt=outbox.attempts,
                test_mode=test_mode,
                attachments=[name for name, _content in email.attachments],
                linked=[number for number, _url in found.links],
                copies_missing=list(found.missing),
            ),
        )


def _record_failure(
    engine: Engine,
    outbox_id: int,
    worker: str,
    error: SendFailed,
    settings: Settings,
    now: datetime,
) -> bool:
    """Returns True when the row will be retried, False when it is now failed for good."""
    with unit_of_work(engine) as session:
        outbox = _still_mine(session, outbox_id, worker)
        if outbox is None:
            return True
        reminder = get(session, Reminder, outbox.reminder_id)
        outbox.attempts += 1
        outbox.last_error = str(error)[:1000]
        outbox.claimed_by, outbox.claimed_until = "", None
        final = error.permanent or outbox.attempts >= settings.send_max_attempts
        content: dict[str, object] = {"attempt": outbox.attempts, "error": str(error)}
        if final:
            outbox.state = transition(outbox.state, OutboxState.FAILED)
            content["final"] = True
        else:
            delay = settings.send_backoff_seconds * 2 ** (outbox.attempts - 1)
            outbox.next_attempt_at = now + timedelta(seconds=delay)
            content["retry_at"] = outbox.next_attempt_at.isoformat()
        audit.append(session, audit.NewEvent.about(reminder, "send_failed", "relance", **content))
        return not final


def _renew(engine: Engine, outbox_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
    """Extend this worker's claim just before sending: False when the claim has lapsed or
    another sender holds the row, which must then not be sent from here."""
    with unit_of_work(engine) as session:
        renewed = session.exec(
            sa.update(Outbox)
            .where(
                col(Outbox.id) == outbox_id,
                col(Outbox.state) == OutboxState.PENDING,
                col(Outbox.claimed_by) == worker,
                col(Outbox.claimed_until) > now,
            )
            .values(claimed_until=now + lease)
        ).rowcount
    if not renewed:
        log.warning(
            "the claim on outbox %s lapsed before sending; left to its new owner", outbox_id
        )
    return bool(renewed)


def _release(engine: Engine, claimed: Sequence[Claimed], worker: str) -> None:
    """Give back claimed rows without charging them an attempt."""
    with unit_of_work(engine) as session:
        session.exec(
            sa.update(Outbox)
            .where(
                col(Outbox.id).in_([c.outbox_id for c in claimed]),
                col(Outbox.claimed_by) == worker,
            )
            .values(claimed_by="", claimed_until=None)
        )


def _stopped(
    engine: Engine, outbox_id: int, worker: str, policies: Policies, now: datetime
) -> int | None:
    """The reminder of a row this worker holds, when what is recorded about its customer now
    overtakes it and it is cancelled instead of sent; None when it is to go."""
    with unit_of_work(engine) as session:
        reminder_id = get(session, Outbox, outbox_id).reminder_id
        mine = (col(Outbox.claimed_by) == worker, col(Outbox.claimed_until) > now)
        return (
            reminder_id if stop_if_overtaken(session, reminder_id, policies, now, *mine) else None
        )


def deliver_due(
    engine: Engine,
    settings: Settings,
    worker: str,
    sender: SmtpSender | None = None,
    now: datetime | None = None,
    lease: timedelta | None = None,
    policies: Policies | None = None,
) -> DeliveryReport:
    """One pass: claim what is due, then for each message renew the claim, look again
    whether it still holds, send, record.

    A message that cannot be built or is refused fails alone, with its cause; a server that
    refuses everyone pauses the outbox and charges no message. Times advance from `now` with
    the pass, so `sent_at` is when each message left. `policies`: those in force (a promise's
    grace); by default the policy file's.
    """
    sender = sender or SmtpSender(settings)
    policies = policies or Policies(
        load_policy(settings.policy_file), load_segments(settings.policy_file)
    )
    lease = lease or timedelta(seconds=settings.send_lease_seconds)
    started, ticks = now or utcnow(), time.monotonic()

    def clock() -> datetime:
        return started + timedelta(seconds=time.monotonic() - ticks)

    report = DeliveryReport()
    report.paused_until = paused_until(engine, started)
    if report.paused_until is not None:
        return report
    claimed = claim(engine, worker, started, lease=lease)
    for position, (outbox_id, taken_over) in enumerate(claimed):
        try:
            if not _renew(engine, outbox_id, worker, clock(), lease):
                continue
            if not taken_over:
                stopped = _stopped(engine, outbox_id, worker, policies, clock())
                if stopped is not None:
                    report.cancelled.append(stopped)
                    continue
            delivery, reminder_id = _deliver_one(
                engine, settings, policies, worker, sender, outbox_id, clock
            )
        except SendFailed as failure:  # the server's fault: hold everything, charge no one
            # one the server may have kept keeps its claim, to lapse as a killed sender's
            left = claimed[position + 1 if failure.maybe_delivered else position :]
            report.pause = _hold_everything(engine, failure, settings, worker, left, clock)
            report.paused_until = report.pause.until
            return report
        except Exception:  # recording failed: the lease expires and the row is tried again
            log.exception("delivering outbox %s failed; it will be claimed again", outbox_id)
            continue
        report.of(delivery).append(reminder_id)
    report.resumed = bool(report.sent) and _resume(engine)
    return report


def _hold_everything(
    engine: Engine,
    failure: SendFailed,
    settings: Settings,
    worker: str,
    left: Sequence[Claimed],
    clock: Callable[[], datetime],
) -> OutboxPaused:
    """The server refuses everyone: what this pass still held goes back, the outbox pauses."""
    log.warning("mail server refused; outbox paused: %s", failure)
    _release(engine, left, worker)
    try:
        return _pause(engine, failure, settings, clock())
    except sa.exc.IntegrityError:  # another sender began the pause at the same moment
        return _pause(engine, failure, settings, clock())


def _deliver_one(
    engine: Engine,
    settings: Settings,
    policies: Policies,
    worker: str,
    sender: SmtpSender,
    outbox_id: int,
    clock: Callable[[], datetime],
) -> tuple[Delivery, int]:
    """Send one claimed message; returns what became of it and its reminder. Raises SendFailed
    only for a server-level failure."""
    with unit_of_work(engine) as session:
        reminder_id = get(session, Outbox, outbox_id).reminder_id
    try:
        with unit_of_work(engine) as session:
            email, _reminder, _customer = _email(session, get(session, Outbox, outbox_id), settings)
        found = copies.enclosures(
            engine,
            settings,
            policies,
            reminder_id,
            clock(),
            lambda customer_id: page_links.page_url(engine, settings, customer_id, clock()),
        )
        email = copies.enclose(email, found, settings)
        if not email.to:
            raise SendFailed("the customer has no e-mail address", permanent=True)
        sender.send(build_message(email, settings))
    except SendFailed as failure:
        if failure.server:
            raise
        log.warning(
            "sending reminder %s failed: %s",
            reminder_id,
            failure,
            extra={"reminder_id": reminder_id},
        )
        retrying = _record_failure(engine, outbox_id, worker, failure, settings, clock())
        return (Delivery.RETRYING if retrying else Delivery.FAILED), reminder_id
    except sa.exc.DBAPIError:  # the database failed, not this message: claimed again later
        raise
    except Exception as exc:  # this message cannot be built or sent as it is: its failure only
        log.exception("reminder %s cannot be sent", reminder_id, extra={"reminder_id": reminder_id})
        unsendable = SendFailed(f"cannot be sent: {type(exc).__name__}: {exc}", permanent=True)
        _record_failure(engine, outbox_id, worker, unsendable, settings, clock())
        return Delivery.FAILED, reminder_id
    _record_sent(engine, outbox_id, worker, email, found, clock(), bool(settings.test_mode_address))
    return Delivery.SENT, reminder_id
