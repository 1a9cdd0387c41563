"""Replay protection: a signed Slack request acts once.

Slack refuses nothing a second time by itself: anyone who captured a signed request could send
it again within the 5 minutes its timestamp stays valid. Each request's signature is remembered
in the database (shared by every instance) for that window; a second arrival is a replay.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.db import is_postgres, unit_of_work
from bot.models import SlackRequest

WINDOW = timedelta(minutes=5, seconds=30)  # Slack's 5 minutes, and some clock skew
PRUNE_ONE_IN = 50  # forgetting old signatures now and then keeps each request to one insert


def first_arrival(engine: Engine, signature: str, now: datetime) -> bool:
    """True the first time a signature is seen, False for a replay.

    One insert that does nothing on a conflict: a signature can only be valid within the
    window (Slack's timestamp check), so any row already there means a replay. On PostgreSQL
    the insert does not wait for its commit to reach the disk: it sits before every
    acknowledgement, and after a crash the worst case is one replay window reopened.
    """
    insert = (postgresql.insert if is_postgres(engine) else sqlite.insert)(SlackRequest)
    with unit_of_work(engine) as session:
        if is_postgres(engine):
            session.execute(sa.text("SET LOCAL synchronous_commit = off"))
        if random.randrange(PRUNE_ONE_IN) == 0:
            session.exec(sa.delete(SlackRequest).where(col(SlackRequest.seen_at) < now - WINDOW))
        inserted = session.connection().execute(
            insert.values(signature=signature, seen_at=now)
            .on_conflict_do_nothing()
            .returning(col(SlackRequest.signature))
        )
        return inserted.first() is not None
