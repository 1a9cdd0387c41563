"""Replay protection: a signed Slack request acts once.

Slack refuses nothing a second time by itself: anyone who captured a signed request could send
it again within the 5 minutes its timestamp stays valid. Each request's signature is remembered
in the database (shared by every instance) for that window; a second arrival is a replay.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db import unit_of_work
from bot.models import SlackRequest

WINDOW = timedelta(minutes=5, seconds=30)  # Slack's 5 minutes, and some clock skew
PRUNE_ONE_IN = 50  # forgetting old signatures now and then keeps each request to one insert


def first_arrival(engine: Engine, signature: str, now: datetime) -> bool:
    """True the first time a signature is seen within the window, False for a replay."""
    try:
        with unit_of_work(engine) as session:
            if random.randrange(PRUNE_ONE_IN) == 0:
                session.exec(sa.delete(SlackRequest).where(SlackRequest.seen_at < now - WINDOW))
            stale = session.get(SlackRequest, signature)
            if stale is not None:
                if stale.seen_at >= now - WINDOW:
                    return False
                stale.seen_at = now
                return True
            session.add(SlackRequest(signature=signature, seen_at=now))
    except sa.exc.IntegrityError:  # the same request, arriving twice at once
        return False
    return True
