"""The app's own state: settings changed in Slack, and the Slack requests already handled."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.models.base import (
    UTCDateTime,
    _timestamp,
)


class AppSetting(SQLModel, table=True):
    """A setting a finance lead changed in Slack; it overrides the environment's value."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=60)
    value: str  # JSON
    updated_by: str = Field(max_length=40)
    updated_at: datetime = _timestamp()


class SlackRequest(SQLModel, table=True):
    """A signed Slack request already received: a replay within Slack's 5-minute window finds its
    signature here and is answered without acting again. A click or a form is also the journal
    of its work: its body is kept until the work is done (`handled_at`), so that another
    instance can dispatch it again if the one that acknowledged it died (services/journal.py).
    Rows older than the window go once handled."""

    __tablename__ = "slack_request"

    signature: str = Field(primary_key=True, max_length=100)
    seen_at: datetime = _timestamp(index=True)
    body: str | None = Field(default=None, sa_type=sa.Text)
    content_type: str | None = Field(default=None, max_length=100)
    claimed_by: str | None = Field(default=None, max_length=200)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recoveries: int = 0
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)
