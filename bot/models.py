"""The tables. Money is stored in integer minor units; times are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from bot.domain.money import from_minor


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Accepts only aware datetimes, stores them in UTC, and gives them back aware in UTC.

    SQLite has no time zones; PostgreSQL's `timestamptz` has. This type makes both behave alike.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Relance stores only aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _timestamp(**kwargs: object) -> object:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


def _minor(**kwargs: object) -> object:
    return Field(default=0, sa_type=sa.BigInteger, **kwargs)


class Customer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    contact_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    language: str = Field(default="en", max_length=8)
    country: str = Field(max_length=2)
    timezone: str = Field(max_length=64)
    currency: str = Field(max_length=3)
    notes: str = Field(default="")
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Invoice(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_invoice_customer_due", "customer_id", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=64, unique=True, index=True)
    customer_id: int = Field(foreign_key="customer.id")
    currency: str = Field(max_length=3)
    amount_minor: int = _minor()
    paid_minor: int = _minor()
    issue_date: date
    due_date: date = Field(index=True)
    payment_link: str = Field(default="", max_length=500)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)

    @property
    def paid(self) -> Decimal:
        return from_minor(self.paid_minor, self.currency)

    @property
    def balance(self) -> Decimal:
        return from_minor(self.amount_minor - self.paid_minor, self.currency)


class AuditEvent(SQLModel, table=True):
    """One link of the append-only, hash-chained written record (see services/audit.py)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    occurred_at: datetime = _timestamp()
    actor: str = Field(max_length=100)
    kind: str = Field(max_length=40, index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    invoice_numbers: str = Field(default="")
    channel: str = Field(default="", max_length=20)
    content: str = Field(default="{}")
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64, unique=True)
