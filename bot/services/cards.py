"""Where each reminder's card lives in Slack, so it can be updated in place."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import read_only, unit_of_work
from bot.models import Reminder


def without_card(engine: Engine, run_date: date) -> list[int]:
    """Today's undecided reminders not posted yet (a rerun posts only what is missing)."""
    with read_only(engine) as session:
        return list(
            session.exec(
                select(Reminder.id)
                .where(
                    Reminder.run_date == run_date,
                    Reminder.state == "suggested",
                    Reminder.slack_ts == "",
                )
                .order_by(Reminder.id)
            ).all()
        )


def attach(engine: Engine, reminder_id: int, channel: str, ts: str) -> None:
    with unit_of_work(engine) as session:
        reminder = session.get(Reminder, reminder_id)
        reminder.slack_channel, reminder.slack_ts = channel, ts


def card_ts(engine: Engine, reminder_id: int) -> str | None:
    """The ts of the reminder's card ("" when none was posted); None when there is no such
    reminder."""
    with read_only(engine) as session:
        reminder = session.get(Reminder, reminder_id)
        return None if reminder is None else reminder.slack_ts
