"""A billing-contact change asked on the customer's page, accepted by a collector.

Anyone holding a page link (a forwarded e-mail, say) could ask, so the request changes nothing
by itself: the address on record is told that a change was asked, and nothing goes to the new
address until a person accepts it in Slack, once (`accept`: a conditional update, so of two
collectors clicking together one wins and the other is told who did).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.channels.email import Email, SmtpSender, build_message
from bot.config import Settings
from bot.db import read_only, unit_of_work
from bot.models import ContactChange, Customer
from bot.services import audit
from bot.services.common.queries import get

RETELL_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class AskedOf:
    """Who is told of a request: the address on record, in the customer's language."""

    customer_name: str
    email: str  # empty when none is on record
    language: str


@dataclass(frozen=True)
class Decided:
    won: bool  # False: someone decided it first
    decided_by: str
    customer_name: str
    email: str


def asked_of(engine: Engine, request_id: int) -> AskedOf:
    """Whom to tell of a request: nobody (no e-mail) when another request of the customer's,
    asked within `RETELL_AFTER` before it, is still undecided: the address was told then, and
    a link's holder cannot make the app write to it twenty times a minute."""
    with read_only(engine) as session:
        change = get(session, ContactChange, request_id)
        customer = get(session, Customer, change.customer_id)
        told = session.exec(
            select(ContactChange.id).where(
                col(ContactChange.customer_id) == change.customer_id,
                col(ContactChange.id) < request_id,
                col(ContactChange.decided_at).is_(None),
                col(ContactChange.asked_at) > change.asked_at - RETELL_AFTER,
            )
        ).first()
        email = "" if told is not None else customer.email
        return AskedOf(customer.name, email, customer.language)


def tell_old_address(settings: Settings, to: str, subject: str, text: str, language: str) -> None:
    """The notice to the address on record (an automatic message: no person approved it)."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "relance.invalid"
    email = Email(to, subject, text, "", make_msgid("relance-contact", domain), language)
    SmtpSender(settings).send(build_message(email, settings))


def accept(engine: Engine, request_id: int, user: str, now: datetime) -> Decided:
    """Applies the requested contact once: the first collector to accept wins."""
    with unit_of_work(engine) as session:
        claimed = session.exec(
            sa.update(ContactChange)
            .where(col(ContactChange.id) == request_id, col(ContactChange.decided_at).is_(None))
            .values(decided_at=now, decided_by=user)
        )
        change = get(session, ContactChange, request_id)
        customer = get(session, Customer, change.customer_id)
        if claimed.rowcount != 1:
            return Decided(False, change.decided_by, customer.name, change.email)
        before = {"contact_name": customer.contact_name, "email": customer.email}
        customer.contact_name = change.contact_name or customer.contact_name
        customer.email = change.email
        customer.phone = change.phone or customer.phone
        audit.append(
            session,
            audit.NewEvent(
                kind="page_contact",
                actor=user,
                customer_id=change.customer_id,
                content={
                    "request": request_id,
                    "before_email": before["email"],
                    "before_contact": before["contact_name"],
                    "contact_name": change.contact_name,
                    "email": change.email,
                    "phone": change.phone,
                },
            ),
        )
        return Decided(True, user, customer.name, change.email)
