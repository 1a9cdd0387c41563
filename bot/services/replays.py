"""Replay protection: a signed Slack request acts once.

Slack refuses nothing a second time by itself: anyone who captured a signed request could send
it again within the 5 minutes its timestamp stays valid. Each request's signature is remembered
in the database (shared by every instance) for that window; a second arrival is a replay.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.db import is_postgres, unit_of_work
from bot.models import SlackRequest

WINDOW = timedelta(minutes=5, seconds=30)  # Slack's 5 minutes, and some clock skew
PRUNE_ONE_IN = 50  # forgetting old signatures now and then keeps each request to one insert


@dataclass(frozen=True)
class Kept:
    """A request kept as the journal of its work (services/journal.py): what dispatches it
    again, and who has it until when."""

    body: str
    content_type: str
    instance: str
    until: datetime


def first_arrival(engine: Engine, signature: str, now: datetime, kept: Kept | None = None) -> bool:
    """True the first time a signature is seen, False for a replay; the first time, `kept`
    is stored with it in the same insert.

    One insert that does nothing on a conflict: a signature can only be valid within the
    window (Slack's timestamp check), so any row already there means a replay. On PostgreSQL
    the insert does not wait for its commit to reach the disk: it sits before every
    acknowledgement; the row outlives the app's processes (what the journal guards against),
    and only a crash of the database server itself could lose the last fraction of a second.
    """
    insert = (postgresql.insert if is_postgres(engine) else sqlite.insert)(SlackRequest)
    values: dict[str, object] = {"signature": signature, "seen_at": now}
    if kept is not None:
        values |= {
            "body": kept.body,
            "content_type": kept.content_type,
            "claimed_by": kept.instance,
            "claimed_until": kept.until,
        }
    with unit_of_work(engine) as session:
        if is_postgres(engine):
            session.exec(sa.text("SET LOCAL synchronous_commit = off"))
        if random.randrange(PRUNE_ONE_IN) == 0:
            session.exec(
                sa.delete(SlackRequest).where(
                    col(SlackRequest.seen_at) < now - WINDOW,
                    sa.or_(
                        col(SlackRequest.body).is_(None), col(SlackRequest.handled_at).is_not(None)
                    ),
                )
            )
        inserted = session.connection().execute(
            insert.values(**values).on_conflict_do_nothing().returning(SlackRequest.signature)
        )
        return inserted.first() is not None
