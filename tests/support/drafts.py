"""Reminders as people see them: the morning stores them unwritten, their texts are written
when first shown or approved (bot/services/reminders/drafting.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select

from bot.db import read_only
from bot.models import Reminder
from bot.services.common.context import Runtime
from bot.services.reminders import drafting


def written(runtime: Runtime, reminders: Iterable[Reminder]) -> list[Reminder]:
    """`reminders` with their texts, written as when their cards are first shown."""
    ids = [r.id for r in reminders if r.id is not None]
    drafting.write_pending(runtime.drafter(), ids)
    with read_only(runtime.engine) as session:
        rows = {r.id: r for r in session.exec(select(Reminder).where(col(Reminder.id).in_(ids)))}
    return [rows[i] for i in ids]
