"""What the tables share: aware UTC times, money in minor units, partial indexes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

E = TypeVar("E", bound=StrEnum)


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


class EnumText(TypeDecorator[E]):
    """A state column: stored as its enum's value in a plain VARCHAR (the strings on disk, no
    database enum type, so no migration), read back as the enum's member on every database. A
    value the enum does not know fails on its way in, in a write or a query alike."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 20) -> None:
        super().__init__(length)
        self.enum = enum
        # a member found by its value (or by itself) in a dict: calling the enum per row is
        # some forty times slower, and a morning reads hundreds of thousands of states
        self._members: dict[str, E] = {m.value: m for m in enum}

    def _member(self, value: str) -> E:
        try:
            return self._members[value]
        except KeyError:
            return self.enum(value)  # raises, naming the enum and the value

    def process_bind_param(self, value: E | str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else self._member(value).value

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> E | None:
        return None if value is None else self._member(value)


def _state(enum: type[E], **kwargs: Any) -> Any:
    return Field(sa_type=EnumText(enum), **kwargs)


def _timestamp(*, index: bool = False) -> Any:  # Any: what `Field` gives a column's default
    return Field(default_factory=utcnow, sa_type=UTCDateTime, index=index)


def _minor() -> Any:
    return Field(default=0, sa_type=sa.BigInteger)


def _partial_index(name: str, where: str) -> sa.Index:
    """An index on customers' names covering only the rows `where` holds (migration 0018_scale):
    the digest's short lists of customers found without reading them all."""
    return sa.Index(name, "name", sqlite_where=sa.text(where), postgresql_where=sa.text(where))


#: The customers a skip reason holds, and those whose e-mail address fails (see above).
HELD = "hold_reason != ''"


EMAIL_FAILING = "email_problem != ''"


class InvoiceListing(SQLModel):
    """One invoice of a list, at its place: whole numbers, never a pattern in a text. A list's
    rows name invoices that exist (the foreign key on their unique number). Each table keys
    its rows by its list's id, then `position`."""

    number: str = Field(max_length=64, foreign_key="invoice.number")

    @classmethod
    def listing(cls, numbers: Iterable[str]) -> list[Self]:
        """The rows of a new list: `Reminder(invoices=ReminderInvoice.listing(…))`."""
        # each table declares `position` after its list's id (the key's order)
        return [cls.model_validate({"position": n, "number": v}) for n, v in enumerate(numbers)]
