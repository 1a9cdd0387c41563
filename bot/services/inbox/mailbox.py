"""Listening: each message of the reply mailbox read, matched to a customer, classified, and
recorded once — with what it means for the ladder — then moved to the done folder.

Exactly once: the record's unique (mailbox, UIDVALIDITY, UID) is inserted in the same
transaction as everything the message changes. Two instances reading the same message: one
insert wins, the other's transaction rolls back whole. A crash after reading and before
recording leaves the message in the inbox, read again next time; a crash after recording and
before moving finds the record next time and only moves the message.

A message is evidence, not a command. It changes something by itself (a hold, a failing
address) only when it is authenticated as its customer's:

- a delivery report (DSN) when it names a Message-ID this app sent, its reply token verified;
- any other message when its `From:` is the customer's (their address, or their own domain —
  never a free-mail one) and that domain is vouched for: a DKIM signature that verifies, or the
  trusted receiving server's Authentication-Results (dkim, dmarc or an aligned spf pass).

What an authenticated message may do by itself is what it did before: a reply holds the ladder
until someone acts, an out-of-office holds it until the return date (at most the policy's
`ooo_max_hold_days`), "has left the company" flags the contact and holds, a hard bounce marks
the address failing. Never more: it cannot resume, promise, dispute or mark anything paid —
those are a person's clicks. Anything else is posted all the same, changes nothing, and waits
for a person's *Confirm* (`inbox_actions.confirm`), which applies it once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.channels.imap import Waiting
from bot.db import read_only, unit_of_work
from bot.domain.inbound import PERSON_WROTE, Inbound, Kind, Unreadable, read_message
from bot.models import Customer, InboundMessage
from bot.rendering.staff_text import Phrase, phrase
from bot.services import audit
from bot.services.accounts.pauses import hold
from bot.services.common.queries import get, id_of
from bot.services.inbox._matching import (
    Match,
    _authenticated,
    match_message,
)
from bot.services.inbox.listening import Listening as Listening
from bot.services.inbox.listening import MailboxReader as MailboxReader

log = logging.getLogger(__name__)

ACTOR = "inbox"
MOVE_LEASE = timedelta(minutes=5)
BATCH = 20  # messages per IMAP round trip (at most a few hundred MB with large attachments)
UNCONFIRMED = phrase(
    "not authenticated as the customer's: nothing changed until someone confirms it"
)


@dataclass(frozen=True)
class Handled:
    """What one message came to: for the report and for the people."""

    id: int
    kind: Kind
    customer_id: int | None
    matched_by: str
    reminder_id: int | None = None  # the reminder it answers, when known


@dataclass
class FetchReport:
    handled: list[Handled] = field(default_factory=list)
    already_handled: int = 0  # recorded before (another instance, or before a crash)
    failed: list[str] = field(default_factory=list)  # uid: cause, for the log


def fetch_mail(
    engine: Engine, mailbox: MailboxReader, now: datetime, listening: Listening
) -> FetchReport:
    """Everything waiting in the mailbox, a few messages per round trip, each handled on its
    own: one that fails is logged and stays in the inbox for the next round; the others go on.

    The instance that recorded a message moves it (two moving it at once could leave two
    copies); a message recorded but still in the inbox after `MOVE_LEASE` lost its recorder
    to a crash, and whoever reads it next moves it."""
    report = FetchReport()
    waiting = mailbox.waiting()
    known = _known(engine, waiting)
    for start in range(0, len(waiting.uids), BATCH):
        chunk = waiting.uids[start : start + BATCH]
        to_move = [uid for uid in chunk if uid in known and known[uid] <= now - MOVE_LEASE]
        report.already_handled += sum(1 for uid in chunk if uid in known)
        unknown = [uid for uid in chunk if uid not in known]
        try:
            bodies = mailbox.read(unknown) if unknown else {}
        except Exception as exc:
            log.exception("inbox: messages %s of %s could not be read", unknown, waiting.mailbox)
            report.failed += [f"{uid}: {type(exc).__name__}: {exc}" for uid in unknown]
            bodies = {}
        for uid in unknown:
            raw = bodies.get(uid)
            if raw is None:
                continue  # moved by another instance meanwhile, or not read
            try:
                handled = record(
                    engine, waiting.mailbox, waiting.uidvalidity, uid, raw, now, listening
                )
            except Exception as exc:
                log.exception("inbox: message %s of %s failed", uid, waiting.mailbox)
                report.failed.append(f"{uid}: {type(exc).__name__}: {exc}")
                continue
            if handled is None:
                report.already_handled += 1
            else:
                report.handled.append(handled)
                to_move.append(uid)
        if to_move:
            try:
                mailbox.move_done(to_move)
                _mark_moved(engine, waiting, to_move)
            except Exception as exc:  # recorded: moved by whoever reads them after the lease
                log.exception("inbox: messages %s of %s not moved", to_move, waiting.mailbox)
                report.failed += [f"{uid}: not moved: {exc}" for uid in to_move]
    return report


def _known(engine: Engine, waiting: Waiting) -> dict[int, datetime]:
    """The messages recorded already, with when (moved ones are no longer waiting)."""
    with read_only(engine) as session:
        return dict(
            session.exec(
                select(InboundMessage.uid, InboundMessage.received_at).where(
                    col(InboundMessage.mailbox) == waiting.mailbox,
                    col(InboundMessage.uidvalidity) == waiting.uidvalidity,
                )
            ).all()
        )


def _mark_moved(engine: Engine, waiting: Waiting, uids: list[int]) -> None:
    with unit_of_work(engine) as session:
        session.exec(
            sa.update(InboundMessage)
            .where(
                col(InboundMessage.mailbox) == waiting.mailbox,
                col(InboundMessage.uidvalidity) == waiting.uidvalidity,
                col(InboundMessage.uid).in_(uids),
            )
            .values(moved=True)
        )


def record(
    engine: Engine,
    mailbox: str,
    uidvalidity: int,
    uid: int,
    raw: bytes,
    now: datetime,
    listening: Listening,
) -> Handled | None:
    """Read, match, classify and record one message with its consequences, in one
    transaction. None when it was recorded already (by this or another instance)."""
    message = read_message(raw, now.date())
    try:
        with unit_of_work(engine) as session:
            if session.exec(
                select(InboundMessage.id).where(
                    col(InboundMessage.mailbox) == mailbox,
                    col(InboundMessage.uidvalidity) == uidvalidity,
                    col(InboundMessage.uid) == uid,
                )
            ).first():
                return None
            row = InboundMessage(
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=uid,
                received_at=now,
                kind=Kind.UNREADABLE if isinstance(message, Unreadable) else message.kind,
            )
            return _record(session, row, message, now, raw, listening)
    except sa.exc.IntegrityError:
        return None  # another instance recorded it first; everything done here rolled back


def _record(
    session: Session,
    row: InboundMessage,
    message: Inbound | Unreadable,
    now: datetime,
    raw: bytes,
    listening: Listening,
) -> Handled:
    if isinstance(message, Unreadable):
        return _set_aside(session, row, message, len(raw))
    match = match_message(session, message, listening.token_key)
    row.message_id, row.sender, row.subject = message.message_id, message.sender, message.subject
    row.customer_id, row.reminder_id, row.matched_by = (
        match.customer_id,
        match.reminder_id,
        match.matched_by,
    )
    back_on = message.back_on
    if back_on is not None:  # a hold no longer than the policy allows, whatever the text says
        back_on = min(back_on, now.date() + timedelta(days=listening.ooo_max_hold_days))
    effect = Effect(message.kind, message.failed_addresses, message.bounce_detail, back_on)
    consequence = _consequence(session, row, message, match, effect, now, raw, listening)
    row.summary = json.dumps(_summary(message, effect, consequence))
    session.add(row)
    session.flush()
    audit.append(
        session,
        audit.NewEvent(
            kind="inbound",
            actor=ACTOR,
            customer_id=match.customer_id,
            channel="email",
            content={
                "inbound_id": row.id,
                "kind": message.kind.value,
                "matched_by": match.matched_by,
                "authenticated": row.authenticated,
                "message_id": message.message_id,
                "from": message.sender,
                "subject": message.subject,
                "date": message.date.isoformat() if message.date else None,
                "text": message.text,
                "attachments": [
                    {"name": a.filename, "type": a.content_type, "size": a.size}
                    for a in message.attachments
                ],
                "consequence": str(consequence),
            },
        ),
    )
    return Handled(id_of(row), row.kind, match.customer_id, match.matched_by, match.reminder_id)


def _set_aside(session: Session, row: InboundMessage, message: Unreadable, size: int) -> Handled:
    """A message that cannot be read: kept with why, for a person."""
    row.reason = message.reason
    row.summary = json.dumps({"size": size})
    session.add(row)
    session.flush()
    audit.append(
        session,
        audit.NewEvent(
            kind="inbound",
            actor=ACTOR,
            channel="email",
            content={"inbound_id": row.id, "set_aside": message.reason, "size": size},
        ),
    )
    return Handled(id_of(row), row.kind, None, "")


def _consequence(
    session: Session,
    row: InboundMessage,
    message: Inbound,
    match: Match,
    effect: Effect,
    now: datetime,
    raw: bytes,
    listening: Listening,
) -> Phrase:
    """What the message does, in words: applied when it changes nothing or its sender is
    authenticated; else it waits for a person to confirm it."""
    if match.customer_id is None:
        return phrase("unmatched: a person assigns it")
    customer = get(session, Customer, match.customer_id)
    if effect.changes_something:
        row.authenticated = _authenticated(message, match, customer, raw, listening)
    if row.authenticated or not effect.changes_something:
        return apply_effect(session, customer, effect, now.date())
    row.awaiting_confirmation = True
    return UNCONFIRMED


# --- matching ------------------------------------------------------------------------------


# --- what a message changes ----------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """What of a message bears on its customer (kept in the record's summary, so a message a
    person assigns later has the same effect as one matched at once)."""

    kind: Kind
    failed_addresses: tuple[str, ...] = ()
    bounce_detail: str = ""
    back_on: date | None = None

    @property
    def changes_something(self) -> bool:
        """Whether applying it would hold the ladder or flag an address."""
        if self.kind is Kind.OUT_OF_OFFICE:
            return self.back_on is not None
        return self.kind in (Kind.BOUNCE, Kind.LEFT_COMPANY, *PERSON_WROTE)

    @classmethod
    def of_record(cls, row: InboundMessage) -> Effect:
        summary = json.loads(row.summary)
        back_on = summary.get("back_on")
        return cls(
            row.kind,
            tuple(summary.get("failed", ())),
            summary.get("bounce", ""),
            date.fromisoformat(back_on) if back_on else None,
        )


def apply_effect(session: Session, customer: Customer, message: Effect, today: date) -> Phrase:
    """The hold or flag the message puts on its customer, in words for the people."""
    if message.kind is Kind.BOUNCE:
        failing = [a for a in message.failed_addresses if a in customer.email.lower()]
        if not failing:
            return phrase("bounce for an address the customer no longer has")
        customer.email_problem = (
            f"hard bounce on {today.isoformat()} for {', '.join(failing)}: "
            f"{message.bounce_detail or 'permanent failure'}"
        )[:500]
        return phrase("{addresses} is failing: call instead", addresses=", ".join(failing))
    if message.kind is Kind.OUT_OF_OFFICE:
        if message.back_on is None:
            return phrase("out of office, no return date: the ladder goes on")
        if customer.paused and (
            customer.paused_until is None or customer.paused_until >= (message.back_on)
        ):
            return phrase(
                "out of office until {date}; already on hold", date=message.back_on.isoformat()
            )
        hold(session, customer, ACTOR, message.back_on, "out of office")
        return phrase("held until {date} (out of office)", date=message.back_on.isoformat())
    if message.kind is Kind.LEFT_COMPANY:
        customer.email_problem = f"the contact has left the company ({today.isoformat()})"
        if not customer.paused or customer.paused_until is not None:
            hold(session, customer, ACTOR, None, "the contact has left the company")
        return phrase("contact has left the company: held until someone finds the new contact")
    if message.kind in PERSON_WROTE:
        if not customer.paused or customer.paused_until is not None:
            hold(session, customer, ACTOR, None, "the customer replied")
        return phrase("held until someone acts")
    return phrase("automatic answer: nothing changes")


def _summary(message: Inbound, effect: Effect, consequence: Phrase) -> dict[str, Any]:
    return {
        "sender_name": message.sender_name,
        "text": message.reply_text[:4000],
        "attachments": [[a.filename, a.size] for a in message.attachments],
        "back_on": effect.back_on.isoformat() if effect.back_on else None,
        "bounce": message.bounce_detail,
        "failed": list(message.failed_addresses),
        "consequence": consequence.stored(),
    }


# --- telling the people --------------------------------------------------------------------
