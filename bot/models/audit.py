"""The audit trail: append-only events, hash-chained from a head row."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.models.base import (
    _timestamp,
)


class AuditEvent(SQLModel, table=True):
    """One link of the append-only, hash-chained written record (see services/audit.py)."""

    __tablename__ = "audit_event"
    # a customer's events, or one kind of them (a hash covers the unique seq: never shared)
    __table_args__ = (sa.Index("ix_audit_event_customer_kind", "customer_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    occurred_at: datetime = _timestamp()
    actor: str = Field(max_length=100)
    kind: str = Field(max_length=40)
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    invoice_numbers: str = Field(default="")
    channel: str = Field(default="", max_length=20)
    content: str = Field(default="{}")
    prev_hash: str = Field(max_length=64, unique=True)  # one successor per link: no fork
    hash: str = Field(max_length=64)
    key_id: str | None = Field(default=None, max_length=16)  # its key's id; None: before ids


class AuditEventInvoice(SQLModel, table=True):
    """One invoice an event lists: how an invoice's events are found. The event's own
    `invoice_numbers` text stays the record (its hash covers it); these rows index it, written
    with the event, append-only like it (a number here may hold a comma, and need not be an
    invoice still: the trail names what it named)."""

    __tablename__ = "audit_event_invoice"
    __table_args__ = (sa.Index("ix_audit_event_invoice_number", "number", "event_seq"),)

    event_seq: int = Field(foreign_key="audit_event.seq", primary_key=True, ondelete="CASCADE")
    position: int = Field(primary_key=True)
    number: str

    #: the columns of the rows `services/audit.linked` makes, in order
    COLUMNS: ClassVar[tuple[str, ...]] = ("event_seq", "position", "number")


class AuditHead(SQLModel, table=True):
    """The chain's head as it was each morning (services/audit_checkpoint.py): verification
    compares the trail with the latest, so an emptied or shortened trail shows. The app's role
    may only append here, as to the trail."""

    __tablename__ = "audit_head"

    id: int | None = Field(default=None, primary_key=True)
    recorded_at: datetime = _timestamp()
    seq: int
    hash: str = Field(max_length=64)
    key_id: str = Field(default="", max_length=16)  # the key its signature is made with
    signature: str = Field(default="", max_length=64)  # HMAC of seq|hash|recorded_at; "" no key
