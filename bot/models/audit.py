"""The audit trail: append-only events, hash-chained from a head row."""

from __future__ import annotations

from datetime import datetime

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
