"""What comes from the customer's side: the page links, the contact changes asked on the page, the
messages read from the mailbox."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.domain.inbound import Kind
from bot.models.base import (
    UTCDateTime,
    _state,
    _timestamp,
)


class PageLink(SQLModel, table=True):
    """One generation of a customer's page link. The signed token carries only `public_id`
    (random, so the link says nothing about the customer); a *New link* revokes the current
    generation and issues the next, so every link sent before stops working."""

    __tablename__ = "page_link"
    __table_args__ = (
        sa.UniqueConstraint("customer_id", "generation", name="uq_page_link_generation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    generation: int
    public_id: str = Field(max_length=32, unique=True)
    created_by: str = Field(max_length=40)
    created_at: datetime = _timestamp()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What strangers' requests cost is kept here, shared by every process and instance: the
    # last view and prefetch recorded (one of each an hour), and the posts of the current minute.
    viewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    prefetched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rate_minute: int = 0  # minutes since the epoch of the window `rate_hits` counts
    rate_hits: int = 0


class ContactChange(SQLModel, table=True):
    """A billing-contact change asked on the customer's page: applied only once a collector
    accepts it (a link may have been forwarded), decided once (`decided_at`)."""

    __tablename__ = "contact_change"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    contact_name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str = Field(max_length=40)
    asked_at: datetime = _timestamp()
    link: str = Field(max_length=32)  # the page link's public id it was asked through
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str = Field(default="", max_length=40)


class InboundMessage(SQLModel, table=True):
    """One message read from the reply mailbox: the unique (mailbox, UIDVALIDITY, UID) makes
    each message handled once, whichever instance read it and however often."""

    __tablename__ = "inbound_message"
    __table_args__ = (
        sa.UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_inbound_mailbox_uid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=300)
    uidvalidity: int = Field(sa_type=sa.BigInteger)
    uid: int = Field(sa_type=sa.BigInteger)
    message_id: str = Field(default="", max_length=200)
    sender: str = Field(default="", max_length=254)
    subject: str = Field(default="")
    kind: Kind = _state(Kind)
    reason: str = Field(default="")  # why it was set aside, for a person
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    reminder_id: int | None = Field(default=None, foreign_key="reminder.id")
    matched_by: str = Field(default="", max_length=20)  # thread | subject | sender | domain
    summary: str = Field(default="{}")  # JSON: what the Slack message shows
    received_at: datetime = _timestamp()
    post_claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    slack_channel: str = Field(default="", max_length=40)
    slack_ts: str = Field(default="", max_length=40, index=True)
    moved: bool = False
    # the answer a person wrote from Slack (sent through the outbox as a reminder row of its own)
    reply_reminder_id: int | None = Field(default=None, foreign_key="reminder.id", unique=True)
    # when a person acted on it (answered, a dispute or promise from it, resumed the ladder)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by: str = Field(default="", max_length=40)
    # how it is known to be its customer's (services/inbox.py); empty: a stranger's claim
    authenticated: str = Field(default="", max_length=200)
    # it would have changed something and was not authenticated: waits for a person's Confirm
    awaiting_confirmation: bool = False
    confirmed_by: str = Field(default="", max_length=40)
