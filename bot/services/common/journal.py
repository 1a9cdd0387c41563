"""The request journal: an acknowledged click or form is never lost with its worker.

A click or form is stored with its body in the insert that already guards against replays
(`replays.first_arrival`), before Slack gets its acknowledgement, claimed by the instance
that received it for a grace period. When its listener's work is done, or has failed for
good, the row is marked handled. A worker killed in between leaves the row unhandled; once
the claim lapses (the instance working on it renews it: `renew`), an instance's recovery pass
claims it (one instance at a time: a lease,
taken with a conditional update) and dispatches it again through the same listeners.
Decisions are conditional state moves, so work that had committed before the kill is not
applied twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.db import read_only, unit_of_work
from bot.models import SlackRequest

MAX_RECOVERIES = 3  # dispatches after the first before the person is told it failed
BATCH = 50
ERROR_CHARS = 500


@dataclass(frozen=True)
class Unhandled:
    """An acknowledged request whose work nobody finished, now claimed by this instance."""

    signature: str
    body: str
    content_type: str
    recoveries: int  # including this one

    @property
    def exhausted(self) -> bool:
        return self.recoveries > MAX_RECOVERIES


def finish(engine: Engine, signature: str, now: datetime, error: str | None = None) -> None:
    """The request's work is done (`error` None) or failed for good (with its cause)."""
    with unit_of_work(engine) as session:
        session.exec(
            sa.update(SlackRequest)
            .where(col(SlackRequest.signature) == signature, col(SlackRequest.handled_at).is_(None))
            .values(handled_at=now, claimed_until=None, error=error and error[:ERROR_CHARS])
        )


def renew(engine: Engine, signatures: Collection[str], instance: str, until: datetime) -> None:
    """Extend this instance's claim on the requests it is still working on: slow work is not
    taken for dead and dispatched again elsewhere."""
    if not signatures:
        return
    with unit_of_work(engine) as session:
        session.exec(
            sa.update(SlackRequest)
            .where(
                col(SlackRequest.signature).in_(signatures),
                col(SlackRequest.claimed_by) == instance,
                col(SlackRequest.handled_at).is_(None),
            )
            .values(claimed_until=until)
        )


def claim_unhandled(
    engine: Engine, instance: str, now: datetime, lease: timedelta
) -> list[Unhandled]:
    """The journaled requests left unhandled whose claim has lapsed, each claimed by this
    instance for `lease` (another instance's concurrent pass gets none of them)."""
    lapsed = (
        col(SlackRequest.body).is_not(None),
        col(SlackRequest.handled_at).is_(None),
        col(SlackRequest.claimed_until) < now,
    )
    with read_only(engine) as session:
        due = session.execute(
            sa.select(col(SlackRequest.signature))
            .where(*lapsed)
            .order_by(col(SlackRequest.seen_at))
            .limit(BATCH)
        ).all()
    claimed = []
    for (signature,) in due:
        with unit_of_work(engine) as session:
            row = session.exec(
                sa.update(SlackRequest)
                .where(col(SlackRequest.signature) == signature, *lapsed)
                .values(
                    claimed_by=instance,
                    claimed_until=now + lease,
                    recoveries=col(SlackRequest.recoveries) + 1,
                )
                .returning(
                    col(SlackRequest.body),
                    col(SlackRequest.content_type),
                    col(SlackRequest.recoveries),
                )
            ).first()
        if row is not None:
            body, content_type, recoveries = row
            claimed.append(Unhandled(signature, body, content_type or "", recoveries))
    return claimed
