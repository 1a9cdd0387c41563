"""Where each reminder's card lives in Slack, so it can be updated in place, and which of the
day's reminders need a card in the digest's thread at all."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import read_only, unit_of_work
from bot.domain.states import ReminderState
from bot.models import Reminder, utcnow
from bot.services.common.queries import get, stored_ids


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
        _free(utcnow()),
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


CLAIM = timedelta(seconds=60)  # longer than posting one card takes, Slack's retries included


def _free(now: datetime) -> sa.ColumnElement[bool]:
    """No card, and nobody posting one (or their claim lapsed: they died mid-post)."""
    return sa.and_(
        col(Reminder.slack_ts) == "",
        sa.or_(col(Reminder.card_claimed_until).is_(None), col(Reminder.card_claimed_until) < now),
    )


def claim(engine: Engine, reminder_id: int) -> bool:
    """Take the posting of a reminder's card: True for the one caller that found it free (an
    atomic update, whichever instance or poster asks)."""
    now = utcnow()
    with unit_of_work(engine) as session:
        taken = session.exec(
            sa.update(Reminder)
            .where(col(Reminder.id) == reminder_id, _free(now))
            .values(card_claimed_until=now + CLAIM)
        )
        return bool(taken.rowcount)


def release(engine: Engine, reminder_id: int) -> None:
    """A claimed card that could not be posted: free for the next poster."""
    with unit_of_work(engine) as session:
        get(session, Reminder, reminder_id).card_claimed_until = None


def attach(engine: Engine, reminder_id: int, channel: str, ts: str) -> None:
    with unit_of_work(engine) as session:
        reminder = get(session, Reminder, reminder_id)
        reminder.slack_channel, reminder.slack_ts = channel, ts
        reminder.card_claimed_until = None


def card_ts(engine: Engine, reminder_id: int) -> str | None:
    """The ts of the reminder's card ("" when none was posted); None when there is no such
    reminder."""
    with read_only(engine) as session:
        reminder = session.get(Reminder, reminder_id)
        return None if reminder is None else reminder.slack_ts
