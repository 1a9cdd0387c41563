"""A person answers a customer's message from Slack: the text goes through the outbox like an
approved reminder — sent once, retried, logged — threaded to the customer's message.

Once per message: the answer's reminder row is linked to the message by a conditional update,
so two people submitting at the same moment send one answer; the other is told who did.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.db import read_only, unit_of_work
from bot.domain.states import ReminderState, move
from bot.models import Customer, InboundMessage, Outbox, Reminder, ReminderInvoice
from bot.rendering.staff_text import N_, phrase
from bot.services import audit
from bot.services.common.errors import Invalid
from bot.services.common.queries import get, id_of
from bot.services.inbox.replies_waiting import mark_handled

MAX_TEXT = 20_000


@dataclass(frozen=True)
class ReplyDraft:
    inbound_id: int
    customer_name: str
    to: str
    subject: str


def draft(engine: Engine, inbound_id: int) -> ReplyDraft:
    with read_only(engine) as session:
        row = get(session, InboundMessage, inbound_id)
        if row is None or row.customer_id is None or not row.sender:
            raise Invalid(N_("This message has no customer to answer."))
        if row.reply_reminder_id is not None:
            raise Invalid(N_("This message has been answered already."))
        customer = get(session, Customer, row.customer_id)
        return ReplyDraft(inbound_id, customer.name, row.sender, _subject(row.subject))


def _subject(subject: str) -> str:
    return subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()


def check_text(text: str) -> str:
    """Staff text is sent as written: bounded, and without control characters (named by line)."""
    text = text.strip()
    if not text:
        raise Invalid(N_("Write the answer first."))
    if len(text) > MAX_TEXT:
        raise Invalid(
            phrase(
                "The answer is {length} characters long; at most {most}.",
                length=f"{len(text):,}",
                most=f"{MAX_TEXT:,}",
            )
        )
    for number, line in enumerate(text.split("\n"), start=1):
        bad = [c for c in line if c != "\t" and unicodedata.category(c) in ("Cc", "Cf")]
        if bad:
            raise Invalid(
                phrase(
                    "Line {number} holds a control character ({character}).",
                    number=number,
                    character=f"U+{ord(bad[0]):04X}",
                )
            )
    return text


def send_reply(engine: Engine, inbound_id: int, text: str, user: str, now: datetime) -> int:
    """Queue the answer; returns its reminder id. Invalid when it cannot or need not go."""
    text = check_text(text)
    reply = draft(engine, inbound_id)
    try:
        return queue_answer(engine, reply, text, user, now)
    except sa.exc.IntegrityError:  # the same answer row inserted by a simultaneous submission
        raise Invalid(N_("Someone answered this message a moment ago.")) from None


def queue_answer(
    engine: Engine,
    reply: ReplyDraft,
    text: str,
    user: str,
    now: datetime,
    *,
    kind: str = "reply",
    numbers: tuple[str, ...] | None = None,
) -> int:
    """The answer as an approved reminder row (stage `<kind>-<message id>`), its outbox row and
    its audit event (`kind`), once per message; `numbers`: the invoices it is about (by default
    those of the reminder the message answered)."""
    inbound_id = reply.inbound_id
    with unit_of_work(engine) as session:
        row = get(session, InboundMessage, inbound_id)
        customer = get(session, Customer, row.customer_id)
        if numbers is None:
            answered = session.get(Reminder, row.reminder_id) if row.reminder_id else None
            numbers = answered.numbers if answered else ()
        reminder = Reminder(
            customer_id=id_of(customer),
            run_date=now.date(),
            stage=f"{kind}-{inbound_id}"[:20],
            channel="email",
            language=customer.language,
            invoices=ReminderInvoice.listing(numbers),
            subject=reply.subject,
            body_text=text,
            original_subject=reply.subject,
            original_body_text=text,
            # sent as written by the person who wrote it: approved as a click approves
            state=move(ReminderState.APPROVED, only_from=ReminderState.SUGGESTED).target,
            decided_by=user,
            decided_at=now,
            send_after=now,
        )
        session.add(reminder)
        session.flush()
        _claim_message(session, inbound_id, id_of(reminder))
        mark_handled(session, user, inbound_id=inbound_id)
        session.add(Outbox(reminder_id=id_of(reminder), channel="email", next_attempt_at=now))
        audit.append(
            session,
            audit.NewEvent(
                kind=kind,
                actor=user,
                customer_id=customer.id,
                invoice_numbers=reminder.numbers,
                channel="email",
                content={
                    "inbound_id": inbound_id,
                    "reminder": reminder.id,
                    "to": reply.to,
                    "subject": reply.subject,
                    "text": text,
                },
            ),
        )
        return id_of(reminder)


def _claim_message(session: Session, inbound_id: int, reminder_id: int) -> None:
    """The message marked answered by this reminder, unless another answer was quicker."""
    won = session.exec(
        sa.update(InboundMessage)
        .where(
            col(InboundMessage.id) == inbound_id,
            col(InboundMessage.reply_reminder_id).is_(None),
        )
        .values(reply_reminder_id=reminder_id)
    ).rowcount
    if not won:
        raise Invalid(N_("Someone answered this message a moment ago."))
