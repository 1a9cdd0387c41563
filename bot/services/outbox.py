"""Delivering approved messages exactly once, retrying failures, losing nothing.

A sender claims due rows for a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's write
lock serializes claims), sends each, and records the outcome only if its lease still holds. A
sender killed mid-send leaves a claim that expires; the row is claimed again and resent with
the same Message-ID. Failures are retried with exponential backoff, each one an audit event;
after the last attempt the row is `failed` and shows in the digest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.channels.email import Email, SendFailed, SmtpSender, build_message, message_id
from bot.channels.letter import Letter, letter_filename, render_pdf
from bot.config import Settings
from bot.db import unit_of_work
from bot.models import Contact, Customer, InboundMessage, Outbox, Reminder, utcnow
from bot.services import audit

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)  # reminder ids
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def touched(self) -> list[int]:
        return self.sent + self.retrying + self.failed


def claim(engine: Engine, worker: str, now: datetime, limit: int = 20) -> list[int]:
    with unit_of_work(engine) as session:
        due = (
            select(Outbox.id)
            .where(
                Outbox.state == "pending",
                Outbox.next_attempt_at <= now,
                sa.or_(col(Outbox.claimed_until).is_(None), Outbox.claimed_until < now),
            )
            .order_by(Outbox.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list(session.exec(due).all())
        if ids:
            session.exec(
                sa.update(Outbox)
                .where(col(Outbox.id).in_(ids))
                .values(claimed_by=worker, claimed_until=now + LEASE)
            )
        return ids


def _email(session, outbox: Outbox, settings: Settings) -> tuple[Email, Reminder, Customer]:  # type: ignore[no-untyped-def]
    """The message as it will leave. In test mode it goes to the test address instead of the
    customer, marked as a test, so a team can run for a week before real sends."""
    reminder = session.get(Reminder, outbox.reminder_id)
    customer = session.get(Customer, reminder.customer_id)
    to, subject, text = customer.email, reminder.subject, reminder.body_text
    answered = session.exec(
        select(InboundMessage).where(InboundMessage.reply_reminder_id == reminder.id)
    ).first()
    if answered is not None:  # a person's answer to a customer's message: to its sender
        to = answered.sender
    if settings.test_mode_address:
        to = settings.test_mode_address
        subject = f"[TEST → {customer.email or 'no address'}] {subject}"
        text = (
            f"TEST MODE: this message would have gone to {customer.email or 'nobody'} "
            f"({customer.name}).\n\n{text}"
        )
    attachments = ()
    if reminder.letter_text:
        letter = Letter.from_json(reminder.letter_text)
        pdf = render_pdf(letter, settings.letter_font, settings.letter_bold_font)
        attachments = ((letter_filename(reminder.id, letter), pdf),)
    email = Email(
        to=to,
        subject=subject,
        text=text,
        html=reminder.body_html,
        language=reminder.language,
        attachments=attachments,
        message_id=message_id(reminder.id, settings.mail_from),
        approved_by=reminder.decided_by,
        in_reply_to=answered.message_id if answered is not None else "",
    )
    return email, reminder, customer


def _still_mine(session, outbox_id: int, worker: str) -> Outbox | None:  # type: ignore[no-untyped-def]
    outbox = session.get(Outbox, outbox_id, populate_existing=True)
    if outbox is None or outbox.state != "pending" or outbox.claimed_by != worker:
        log.warning("lost the claim on outbox %s before recording its outcome", outbox_id)
        return None
    return outbox


def _record_sent(
    engine: Engine, outbox_id: int, worker: str, email: Email, now: datetime, test_mode: bool
) -> None:
    with unit_of_work(engine) as session:
        outbox = _still_mine(session, outbox_id, worker)
        if outbox is None:
            return
        reminder = session.get(Reminder, outbox.reminder_id)
        outbox.state, outbox.sent_at, outbox.message_id = "sent", now, email.message_id
        outbox.attempts += 1
        outbox.claimed_by, outbox.claimed_until = "", None
        reminder.state, reminder.sent_at = "sent", now
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
            audit.NewEvent(
                kind="sent",
                actor="relance",
                customer_id=reminder.customer_id,
                invoice_numbers=tuple(reminder.invoice_numbers.split(",")),
                channel="email",
                content={
                    "reminder": reminder.id,
                    "to": email.to,
                    "subject": email.subject,
                    "text": email.text,
                    "message_id": email.message_id,
                    "attempt": outbox.attempts,
                    "test_mode": test_mode,
                },
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
        reminder = session.get(Reminder, outbox.reminder_id)
        outbox.attempts += 1
        outbox.last_error = str(error)
        outbox.claimed_by, outbox.claimed_until = "", None
        final = error.permanent or outbox.attempts >= settings.send_max_attempts
        content = {"reminder": reminder.id, "attempt": outbox.attempts, "error": str(error)}
        if final:
            outbox.state = "failed"
            content["final"] = True
        else:
            delay = settings.send_backoff_seconds * 2 ** (outbox.attempts - 1)
            outbox.next_attempt_at = now + timedelta(seconds=delay)
            content["retry_at"] = outbox.next_attempt_at.isoformat()
        audit.append(
            session,
            audit.NewEvent(
                kind="send_failed",
                actor="relance",
                customer_id=reminder.customer_id,
                invoice_numbers=tuple(reminder.invoice_numbers.split(",")),
                channel="email",
                content=content,
            ),
        )
        return not final


def deliver_due(
    engine: Engine,
    settings: Settings,
    worker: str,
    sender: SmtpSender | None = None,
    now: datetime | None = None,
) -> DeliveryReport:
    """One pass: claim what is due, send it, record each outcome."""
    sender = sender or SmtpSender(settings)
    now = now or utcnow()
    report = DeliveryReport()
    for outbox_id in claim(engine, worker, now):
        with unit_of_work(engine) as session:
            outbox = session.get(Outbox, outbox_id)
            email, reminder, _customer = _email(session, outbox, settings)
        try:
            if not email.to:
                raise SendFailed("the customer has no e-mail address", permanent=True)
            sender.send(build_message(email, settings))
        except SendFailed as failure:
            log.warning("sending reminder %s failed: %s", reminder.id, failure)
            retrying = _record_failure(engine, outbox_id, worker, failure, settings, now)
            (report.retrying if retrying else report.failed).append(reminder.id)
            continue
        _record_sent(engine, outbox_id, worker, email, now, bool(settings.test_mode_address))
        report.sent.append(reminder.id)
    return report
