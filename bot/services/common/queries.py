"""Query pieces written once: which rows a state move may take, an invoice's open balance,
a reminder's invoices, and the rows a use case can only go on with."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from bot.domain.states import Move
from bot.models import Invoice, ReminderInvoice

Row = TypeVar("Row", bound=SQLModel)
Item = TypeVar("Item")


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def get(session: Session, model: type[Row], key: object) -> Row:
    """A row the use case cannot go on without (its key was read or checked just before): a
    missing one is a LookupError that names it, not an AttributeError on None further on."""
    row = session.get(model, key)
    if row is None:
        raise LookupError(f"{model.__name__} {key} does not exist")
    return row


def stored_id(key: int | None) -> int:
    """A key read from the database or given by a flush: SQLModel types every primary key as
    optional because a row has none before its insert."""
    if key is None:
        raise ValueError("a row is not stored yet")
    return key


def id_of(row: _Stored) -> int:
    return stored_id(row.id)


def stored_ids(keys: Iterable[int | None]) -> list[int]:
    return [stored_id(key) for key in keys]


def in_sources(column: Any, move: Move[Any]) -> sa.ColumnElement[bool]:
    """`state = x` or `state IN (x, y)`: the rows a conditional update may move."""
    state = col(column)
    return state == move.sources[0] if len(move.sources) == 1 else state.in_(move.sources)


def open_balance() -> sa.ColumnElement[int]:
    """What is still owed on an invoice, in minor units (see `domain.money.open_minor`)."""
    return col(Invoice.amount_minor) - col(Invoice.paid_minor)


def is_open() -> sa.ColumnElement[bool]:
    return col(Invoice.amount_minor) > col(Invoice.paid_minor)


_BATCH = 10_000


def chunks(values: Sequence[Item]) -> Iterator[Sequence[Item]]:
    """`values` a batch at a time, each within SQLite's bound parameters for an `IN` list."""
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


def listed(conn: sa.Connection, reminder_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The invoices of these reminders, each list in its order (`Reminder.numbers` without
    loading the rows)."""
    lists: dict[int, list[str]] = {}
    for batch in chunks(reminder_ids):
        for reminder_id, number in conn.execute(
            sa.select(col(ReminderInvoice.reminder_id), col(ReminderInvoice.number))
            .where(col(ReminderInvoice.reminder_id).in_(batch))
            .order_by(col(ReminderInvoice.reminder_id), col(ReminderInvoice.position))
        ):
            lists.setdefault(reminder_id, []).append(number)
    return {reminder_id: tuple(numbers) for reminder_id, numbers in lists.items()}
