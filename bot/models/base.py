"""What the tables share: aware UTC times, money in minor units, partial indexes."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


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


def _partial_index(name: str, where: str) -> sa.Index:
    """An index on customers' names covering only the rows `where` holds (migration 0018_scale):
    the digest's short lists of customers found without reading them all."""
    return sa.Index(name, "name", sqlite_where=sa.text(where), postgresql_where=sa.text(where))


#: The customers a skip reason holds, and those whose e-mail address fails (see above).
HELD = "hold_reason != ''"
EMAIL_FAILING = "email_problem != ''"
