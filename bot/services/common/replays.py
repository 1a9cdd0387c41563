"""Replay protection: a signed Slack request acts once.

Slack refuses nothing a second time by itself: anyone who captured a signed request could send
it again within the 5 minutes its timestamp stays valid. Each request's signature is remembered
in the database (shared by every instance) for that window; a second arrival is a replay.
"""

from __future__ import annotations

import random
import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Required, TypedDict

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.db import is_postgres
from bot.models import SlackRequest

WINDOW = timedelta(minutes=5, seconds=30)  # Slack's 5 minutes, and some clock skew
PRUNE_ONE_IN = 50  # forgetting old signatures now and then keeps each batch to one insert


@dataclass(frozen=True)
class Kept:
    """A request kept as the journal of its work (services/journal.py): what dispatches it
    again, and who has it until when."""

    body: str
    content_type: str
    instance: str
    until: datetime


class _Values(TypedDict, total=False):
    """One request's row: its signature and arrival, and what `Kept` holds when given."""

    signature: Required[str]
    seen_at: Required[datetime]
    body: str
    content_type: str
    claimed_by: str
    claimed_until: datetime


@dataclass
class _Arrival:
    values: _Values
    done: threading.Event = field(default_factory=threading.Event)
    new: bool = False
    error: BaseException | None = None


class _GroupCommit:
    """The arrivals of one engine written together: while one thread's transaction is under
    way, the requests arriving meanwhile queue, and the next thread to write takes them all.
    A burst of clicks costs a few transactions instead of one each (on SQLite, each would
    also wait its turn for the file's write lock)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._queue: list[_Arrival] = []
        self._queue_lock = threading.Lock()
        self._writer = threading.Lock()

    def arrive(self, values: _Values) -> bool:
        arrival = _Arrival(values)
        with self._queue_lock:
            self._queue.append(arrival)
        with self._writer:
            if not arrival.done.is_set():
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._write(batch)
        if arrival.error is not None:
            raise arrival.error
        return arrival.new

    def _write(self, batch: list[_Arrival]) -> None:
        first: dict[str, _Arrival] = {}  # a replay in the same batch is not new either
        for arrival in batch:
            first.setdefault(arrival.values["signature"], arrival)
        try:
            inserted = _insert(self.engine, [a.values for a in first.values()])
        except BaseException as exc:
            for arrival in batch:
                arrival.error = exc
                arrival.done.set()
            return
        for signature, arrival in first.items():
            arrival.new = signature in inserted
        for arrival in batch:
            arrival.done.set()


def _insert(engine: Engine, rows: list[_Values]) -> set[str]:
    """One transaction inserting `rows`, skipping signatures already there; the new ones.

    On PostgreSQL the commit does not wait for the disk: it sits before every
    acknowledgement; the rows outlive the app's processes (what the journal guards against),
    and only a crash of the database server itself could lose the last fraction of a second.
    """
    insert = (postgresql.insert if is_postgres(engine) else sqlite.insert)(SlackRequest)
    now = max(row["seen_at"] for row in rows)
    with engine.begin() as conn:
        if is_postgres(engine):
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        if random.randrange(PRUNE_ONE_IN) == 0:
            conn.execute(
                sa.delete(SlackRequest).where(
                    col(SlackRequest.seen_at) < now - WINDOW,
                    sa.or_(
                        col(SlackRequest.body).is_(None), col(SlackRequest.handled_at).is_not(None)
                    ),
                )
            )
        keys = ("signature", "seen_at", "body", "content_type", "claimed_by", "claimed_until")
        inserted = conn.execute(
            insert.values([{k: row.get(k) for k in keys} for row in rows])
            .on_conflict_do_nothing()
            .returning(col(SlackRequest.signature))
        )
        return {signature for (signature,) in inserted}


_groups: weakref.WeakKeyDictionary[Engine, _GroupCommit] = weakref.WeakKeyDictionary()
_groups_lock = threading.Lock()


def first_arrival(engine: Engine, signature: str, now: datetime, kept: Kept | None = None) -> bool:
    """True the first time a signature is seen, False for a replay; the first time, `kept`
    is stored with it in the same insert (written with the other requests arriving at the
    same moment: `_GroupCommit`).

    An insert that does nothing on a conflict: a signature can only be valid within the
    window (Slack's timestamp check), so any row already there means a replay.
    """
    values: _Values = {"signature": signature, "seen_at": now}
    if kept is not None:
        values |= {
            "body": kept.body,
            "content_type": kept.content_type,
            "claimed_by": kept.instance,
            "claimed_until": kept.until,
        }
    with _groups_lock:
        group = _groups.get(engine) or _groups.setdefault(engine, _GroupCommit(engine))
    return group.arrive(values)
