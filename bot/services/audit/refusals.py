"""A refused attempt is part of the written record: who tried what, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from bot.db import unit_of_work
from bot.services import audit


def record_refusal(
    engine: Engine, user: str, action: str, detail: dict[str, Any] | None = None
) -> None:
    with unit_of_work(engine) as session:
        audit.append(
            session,
            audit.NewEvent(
                kind="refused", actor=user, content={"action": action, **(detail or {})}
            ),
        )
