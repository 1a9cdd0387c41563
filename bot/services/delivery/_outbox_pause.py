"""The whole outbox paused when the mail server refuses everyone (a full quota, a blocked account):
until when, and resumed by the first message that goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.channels.email import (
    SendFailed,
)
from bot.config import Settings
from bot.db import unit_of_work
from bot.models import OutboxPause
from bot.services import audit

MAX_PAUSE_SECONDS = 3600


@dataclass(frozen=True)
class OutboxPaused:
    """The mail server refused: nothing is sent before `until`. `first` when this pass began the
    pause (the moment to alert people); `failures` in a row so far."""

    until: datetime
    failures: int
    error: str
    first: bool


def paused_until(engine: Engine, now: datetime) -> datetime | None:
    with unit_of_work(engine) as session:
        pause = session.get(OutboxPause, "email")
        if pause is None or pause.paused_until is None or pause.paused_until <= now:
            return None
        return pause.paused_until


def _pause(engine: Engine, error: SendFailed, settings: Settings, now: datetime) -> OutboxPaused:
    """Hold every sender back, doubling the wait with each refusal in a row (at most an hour)."""
    with unit_of_work(engine) as session:
        pause = session.get(OutboxPause, "email", with_for_update=True)
        if pause is None:
            pause = OutboxPause(channel="email", since=now)
            session.add(pause)
        first = pause.failures == 0
        pause.failures += 1
        delay = min(settings.send_backoff_seconds * 2 ** (pause.failures - 1), MAX_PAUSE_SECONDS)
        pause.paused_until = now + timedelta(seconds=delay)
        pause.last_error = str(error)[:500]
        if first:
            pause.since = now
            audit.append(
                session,
                audit.NewEvent(
                    kind="outbox_paused",
                    actor="relance",
                    channel="email",
                    content={"error": pause.last_error, "until": pause.paused_until.isoformat()},
                ),
            )
        return OutboxPaused(pause.paused_until, pause.failures, pause.last_error, first)


def _resume(engine: Engine) -> bool:
    """After a message went through: end a pause; True when there was one."""
    with unit_of_work(engine) as session:
        pause = session.get(OutboxPause, "email", with_for_update=True)
        if pause is None or pause.failures == 0:
            return False
        pause.failures, pause.paused_until = 0, None
        audit.append(
            session,
            audit.NewEvent(kind="outbox_resumed", actor="relance", channel="email", content={}),
        )
        return True
