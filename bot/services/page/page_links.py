"""The customer's page link: signed, expiring, revocable, bound to one customer.

The token (itsdangerous, keyed by `RELANCE_PAGE_SECRET`) carries only the random `public_id`
of the link's current generation and the time it was signed; the database says whose it is
and whether it was revoked. A *New link* revokes the generation every sent link carries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.db import read_only, unit_of_work
from bot.models import Customer, PageLink, utcnow
from bot.rendering.staff_text import N_
from bot.services import audit
from bot.services.common.errors import Invalid
from bot.services.common.lookup import find_customer
from bot.services.common.queries import id_of

_SALT = "relance-customer-page"


@dataclass(frozen=True)
class LinkHolder:
    """Who a valid link belongs to."""

    customer_id: int
    public_id: str
    generation: int


class LinkRefused(Exception):
    """A link that shows no data: `reason` is forged | expired | revoked. A link we issued
    (expired, revoked) names its customer's language, so the refusal is in words they read."""

    def __init__(self, reason: str, language: str = ""):
        super().__init__(reason)
        self.reason, self.language = reason, language


def enabled(settings: Settings) -> bool:
    return bool(settings.page_secret and settings.public_url)


def timed_serializer(
    settings: Settings, salt: str, now: datetime | None = None
) -> URLSafeTimedSerializer:
    """Keyed by the page's secret, kept apart by `salt`. Signing takes its time from `now`
    (the runtime's clock), so tests and the demo can sign in the past; verifying checks the
    age against `now` too (see `resolve`)."""
    if now is None:
        return URLSafeTimedSerializer(settings.page_secret, salt=salt)
    at = int(now.timestamp())
    signer = type("Signer", (TimestampSigner,), {"get_timestamp": lambda self: at})
    return URLSafeTimedSerializer(settings.page_secret, salt=salt, signer=signer)


def _serializer(settings: Settings, now: datetime | None = None) -> URLSafeTimedSerializer:
    return timed_serializer(settings, _SALT, now)


def sign(settings: Settings, public_id: str, now: datetime) -> str:
    return _serializer(settings, now).dumps(public_id)


def _current(session: Session, customer_id: int) -> PageLink | None:
    return session.exec(
        select(PageLink).where(
            col(PageLink.customer_id) == customer_id, col(PageLink.revoked_at).is_(None)
        )
    ).first()


def _issue(session: Session, customer_id: int, generation: int, user: str) -> PageLink:
    link = PageLink(
        customer_id=customer_id,
        generation=generation,
        public_id=secrets.token_urlsafe(16),
        created_by=user,
    )
    session.add(link)
    session.flush()
    return link


def current_link(engine: Engine, customer_id: int) -> str:
    """The public id of the customer's current link, issued on first use."""
    with read_only(engine) as session:
        link = _current(session, customer_id)
    if link is not None:
        return link.public_id
    try:
        with unit_of_work(engine) as session:
            link = _current(session, customer_id)
            if link is None:
                last = session.exec(
                    select(sa.func.max(PageLink.generation)).where(
                        col(PageLink.customer_id) == customer_id
                    )
                ).one()
                link = _issue(session, customer_id, (last or 0) + 1, "relance")
            return link.public_id
    except IntegrityError:  # another instance issued it at the same moment: theirs stands
        with read_only(engine) as session:
            link = _current(session, customer_id)
            if link is None:  # revoked again since: nothing to give
                raise
            return link.public_id


def url_for(settings: Settings, public_id: str, now: datetime) -> str:
    return f"{settings.public_url}/pay/{sign(settings, public_id, now)}"


def page_url(engine: Engine, settings: Settings, customer_id: int, now: datetime) -> str:
    """The link to put in a reminder; empty when the page is not configured."""
    if not enabled(settings):
        return ""
    return url_for(settings, current_link(engine, customer_id), now)


def resolve(engine: Engine, settings: Settings, token: str, now: datetime) -> LinkHolder:
    """Whose link this is, or `LinkRefused` saying why it shows nothing."""
    serializer = _serializer(settings)
    max_age = settings.page_link_days * 86400
    try:
        public_id, signed_at = serializer.loads(token, return_timestamp=True)
    except BadSignature:
        raise LinkRefused("forged") from None
    if not isinstance(public_id, str):
        raise LinkRefused("forged")
    with read_only(engine) as session:
        link = session.exec(select(PageLink).where(col(PageLink.public_id) == public_id)).first()
        language = (
            session.exec(
                select(Customer.language).where(col(Customer.id) == link.customer_id)
            ).first()
            if link is not None
            else ""
        ) or ""
    if link is None:
        raise LinkRefused("forged")
    if link.revoked_at is not None:
        raise LinkRefused("revoked", language)
    if (now - signed_at.astimezone(UTC)).total_seconds() > max_age:
        raise LinkRefused("expired", language)
    return LinkHolder(link.customer_id, link.public_id, link.generation)


def csrf_token(settings: Settings, holder: LinkHolder) -> str:
    """The form token: tied to the link, so a form of one link is refused on any other."""
    return hmac.new(
        settings.page_secret.encode(), f"csrf:{holder.public_id}".encode(), hashlib.sha256
    ).hexdigest()


def csrf_ok(settings: Settings, holder: LinkHolder, token: str) -> bool:
    return hmac.compare_digest(csrf_token(settings, holder), token)


@dataclass(frozen=True)
class NewLink:
    customer_name: str
    generation: int
    url: str


def new_link(engine: Engine, settings: Settings, query: str, user: str, now: datetime) -> NewLink:
    """Revoke the customer's link (every one already sent) and issue the next generation."""
    if not enabled(settings):
        raise Invalid(
            N_("The customer page is not configured (RELANCE_PAGE_SECRET, RELANCE_PUBLIC_URL).")
        )
    with unit_of_work(engine) as session:
        customer: Customer = find_customer(session, query)
        session.exec(
            sa.update(PageLink)
            .where(col(PageLink.customer_id) == customer.id, col(PageLink.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
        last = session.exec(
            select(sa.func.max(PageLink.generation)).where(col(PageLink.customer_id) == customer.id)
        ).one()
        link = _issue(session, id_of(customer), (last or 0) + 1, user)
        audit.append(
            session,
            audit.NewEvent(
                kind="page_link_renewed",
                actor=user,
                customer_id=customer.id,
                content={"generation": link.generation, "link": link.public_id},
            ),
        )
        name, generation, public_id = customer.name, link.generation, link.public_id
    return NewLink(name, generation, url_for(settings, public_id, now))
