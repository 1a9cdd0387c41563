"""Where each reminder's card lives in Slack, so it can be updated in place, and which of the
day's reminders need a card in the digest's thread at all."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import read_only, unit_of_work
from bot.domain.states import ReminderState
from bot.models import Reminder
from bot.services.queries import get, stored_ids


@dataclass(frozen=True)
class ThreadPage:
    ids: list[int]  # the cards to post now, oldest first
    left: int  # further ones that need the channel, beyond the page


def without_card(
    engine: Engine, run_date: date, channel_stages: Collection[str], page: int
) -> ThreadPage:
    """Today's undecided reminders that need the channel (their stage says so, or nobody owns
    the customer) and have no card yet, at most `page` of them; a rerun posts only what is
    missing. Owned reminders of other stages live on their owner's Home."""
    needs_channel = sa.or_(col(Reminder.owner) == "", col(Reminder.stage).in_(list(channel_stages)))
    where = (
        col(Reminder.run_date) == run_date,
        col(Reminder.state) == ReminderState.SUGGESTED,
        col(Reminder.slack_ts) == "",
        needs_channel,
    )
    with read_only(engine) as session:
        ids = stored_ids(
            session.exec(
                select(col(Reminder.id)).where(*where).order_by(col(Reminder.id)).limit(page)
            ).all()
        )
        total = session.execute(sa.select(sa.func.count()).where(*where)).scalar_one()
    return ThreadPage(ids, total - len(ids))


#: what a card's ts holds while one instance posts it: the digest and every other poster see a
#: card and leave it alone, so it is posted once
POSTING = "posting"


def claim(engine: Engine, reminder_id: int) -> bool:
    """Take the posting of a reminder's card: True for the one caller that found it without a
    card (an atomic update, whichever instance asks)."""
    with unit_of_work(engine) as session:
        taken = session.exec(
            sa.update(Reminder)
            .where(col(Reminder.id) == reminder_id, col(Reminder.slack_ts) == "")
            .values(slack_ts=POSTING)
        )
        return bool(taken.rowcount)


def release(engine: Engine, reminder_id: int) -> None:
    """A claimed card that could not be posted: the digest posts it instead."""
    with unit_of_work(engine) as session:
        session.exec(
            sa.update(Reminder)
            .where(col(Reminder.id) == reminder_id, col(Reminder.slack_ts) == POSTING)
            .values(slack_ts="")
        )


def attach(engine: Engine, reminder_id: int, channel: str, ts: str) -> None:
    with unit_of_work(engine) as session:
        reminder = get(session, Reminder, reminder_id)
        reminder.slack_channel, reminder.slack_ts = channel, ts


def card_ts(engine: Engine, reminder_id: int) -> str | None:
    """The ts of the reminder's card ("" when none was posted); None when there is no such
    reminder."""
    with read_only(engine) as session:
        reminder = session.get(Reminder, reminder_id)
        return None if reminder is None else reminder.slack_ts
