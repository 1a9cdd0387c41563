"""Query pieces written once: which rows a state move may take, and an invoice's open balance."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from bot.domain import invoice_list
from bot.domain.states import Move
from bot.models import Invoice, ReminderInvoice


def in_sources(column: Any, move: Move) -> sa.ColumnElement[bool]:
    """`state = x` or `state IN (x, y)`: the rows a conditional update may move."""
    state = col(column)
    return state == move.sources[0] if len(move.sources) == 1 else state.in_(move.sources)


def open_balance() -> sa.ColumnElement[int]:
    """What is still owed on an invoice, in minor units (see `domain.money.open_minor`)."""
    return col(Invoice.amount_minor) - col(Invoice.paid_minor)


def is_open() -> sa.ColumnElement[bool]:
    return col(Invoice.amount_minor) > col(Invoice.paid_minor)


def listed(conn: sa.Connection, reminder_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The invoices of these reminders, each list in its order (`Reminder.numbers` without
    loading the rows)."""
    lists: dict[int, list[str]] = {}
    for reminder_id, number in conn.execute(
        sa.select(ReminderInvoice.reminder_id, ReminderInvoice.number)
        .where(col(ReminderInvoice.reminder_id).in_(reminder_ids))
        .order_by(ReminderInvoice.reminder_id, ReminderInvoice.position)
    ):
        lists.setdefault(reminder_id, []).append(number)
    return {reminder_id: tuple(numbers) for reminder_id, numbers in lists.items()}


def lists_number(column: Any, number: str) -> sa.ColumnElement[bool]:
    """A stored invoice list (`domain.invoice_list`) that holds `number` exactly: alone,
    first, last or in between (a number's own `%` and `_` match only themselves)."""
    stored = col(column)
    sep = invoice_list.SEPARATOR
    literal = number.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.or_(
        stored == number,
        stored.like(f"{literal}{sep}%", escape="\\"),
        stored.like(f"%{sep}{literal}", escape="\\"),
        stored.like(f"%{sep}{literal}{sep}%", escape="\\"),
    )
