"""Which customer and reminder a message answers: the reminder's token in its references, else the
sender's address or domain (free-mail domains excepted), never a guess between two; and whether
the sender is authenticated as the customer's."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.channels.email import MESSAGE_ID_PREFIX
from bot.domain.inbound import Inbound, Kind
from bot.domain.mail_trust import aligned, reminder_of
from bot.models import Customer, Invoice, Reminder
from bot.services.common.queries import stored_ids
from bot.services.inbox.listening import Listening

FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
        "yahoo.fr", "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de",
        "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "proton.me", "protonmail.com",
    }
)  # fmt: skip


_REMINDER_TOKEN = re.compile(rf"^<{MESSAGE_ID_PREFIX}([^@<>]+)@")


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]*[A-Za-z0-9]")


@dataclass(frozen=True)
class Match:
    customer_id: int | None
    reminder_id: int | None
    matched_by: str  # thread | subject | sender | domain | "" (unmatched)


def _authenticated(
    message: Inbound, match: Match, customer: Customer, raw: bytes, listening: Listening
) -> str:
    """How the message is known to be its customer's, in words; empty when it is not."""
    if message.kind is Kind.BOUNCE:
        return "names a message this app sent" if match.matched_by == "thread" else ""
    addresses = [a.strip() for a in customer.email.lower().split(",") if a.strip()]
    domains = {a.rpartition("@")[2] for a in addresses} - FREE_MAIL
    if message.sender not in addresses and message.sender.rpartition("@")[2] not in domains:
        return ""
    vouched = listening.vouched(raw, message)
    if not aligned(message.sender, vouched):
        return ""
    return "authenticated: " + ", ".join(sorted(vouched))[:150]


def _reminder_answered(message: Inbound, key: bytes) -> int | None:
    """The reminder whose verified token the message carries: in a Message-ID it answers (or a
    bounce sends back), or in the address it was sent to."""
    for ref in message.references:
        found = _REMINDER_TOKEN.match(ref)
        reminder_id = reminder_of(found.group(1), key) if found else None
        if reminder_id is not None:
            return reminder_id
    for address in message.recipients:
        local = address.rpartition("@")[0]
        reminder_id = reminder_of(local.partition("+")[2], key) if "+" in local else None
        if reminder_id is not None:
            return reminder_id
    return None


def match_message(session: Session, message: Inbound, key: bytes) -> Match:
    """By the reminder it answers (its token verified under `key`); else an invoice number in
    the subject; else the sender's address, then domain, against the customers' e-mails. Two
    customers fitting equally is no match: a person assigns it. Only the token is proof: the
    rest is a guess for a person to read (see `_authenticated`)."""
    reminder_id = _reminder_answered(message, key)
    reminder = session.get(Reminder, reminder_id) if reminder_id is not None else None
    if reminder is not None:
        return Match(reminder.customer_id, reminder.id, "thread")
    tokens = set(_TOKEN.findall(message.subject))
    if tokens:
        owners = set(
            session.exec(
                select(col(Invoice.customer_id)).where(col(Invoice.number).in_(sorted(tokens)[:50]))
            ).all()
        )
        if len(owners) == 1:
            return Match(owners.pop(), None, "subject")
    addresses = message.failed_addresses if message.kind is Kind.BOUNCE else (message.sender,)
    for address in addresses:
        by_address = _unique(_customers_with(session, address, exact=True))
        if by_address is not None:
            return Match(by_address, None, "sender")
    domain = message.sender.rpartition("@")[2]
    if message.kind is not Kind.BOUNCE and domain and domain not in FREE_MAIL:
        by_domain = _unique(_customers_with(session, "@" + domain, exact=False))
        if by_domain is not None:
            return Match(by_domain, None, "domain")
    return Match(None, None, "")


def _customers_with(session: Session, needle: str, *, exact: bool) -> list[int]:
    """Customers whose e-mail field (one address, or several separated by commas) holds the
    address, or an address at the domain."""
    escaped = needle.lower().replace("%", r"\%").replace("_", r"\_")
    email = sa.func.lower(Customer.email)
    if exact:
        condition = sa.or_(
            email == needle.lower(),
            email.like(f"%{escaped},%", escape="\\"),
            email.like(f"%{escaped}", escape="\\"),
        )
    else:
        condition = sa.or_(
            email.like(f"%{escaped}", escape="\\"), email.like(f"%{escaped},%", escape="\\")
        )
    return stored_ids(session.exec(select(col(Customer.id)).where(condition).limit(3)).all())


def _unique(ids: Iterable[int]) -> int | None:
    found = set(ids)
    return found.pop() if len(found) == 1 else None
