"""The written record: append-only, hash-chained, verifiable.

Each event stores the hash of the one before it, so changing or deleting any row breaks every
link after it. With `RELANCE_AUDIT_KEY` set, each link is an HMAC keyed with that secret, which
lives in the configuration and never with the data: someone who can write to the database
cannot recompute a chain that verifies. (Deleting the newest events leaves a valid shorter
chain: the checkpoints of services/audit_checkpoint.py catch that.) Appends are serialized: an advisory transaction lock on PostgreSQL, the
`BEGIN IMMEDIATE` write lock on SQLite; the unique `seq` and `prev_hash` columns refuse a fork
even if that serialization were ever bypassed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import insert_rows, read_only
from bot.domain import invoice_list
from bot.models import AuditEvent, utcnow

GENESIS_HASH = "0" * 64
_LOCK_KEY = 0x52454C41  # "RELA": the advisory lock that serializes appends on PostgreSQL


class AboutReminder(Protocol):
    """What an event about a reminder records of it (a stored row, or a morning's report)."""

    @property
    def id(self) -> int | None: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def numbers(self) -> tuple[str, ...]: ...
    @property
    def channel(self) -> str: ...


@dataclass(frozen=True)
class NewEvent:
    kind: str
    actor: str
    customer_id: int | None = None
    invoice_numbers: tuple[str, ...] = ()
    channel: str = ""
    content: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def about(cls, reminder: AboutReminder, kind: str, actor: str, **content: Any) -> NewEvent:
        """An event about one reminder: its customer, invoices and channel, and its id first
        in the content."""
        return cls(
            kind=kind,
            actor=actor,
            customer_id=reminder.customer_id,
            invoice_numbers=reminder.numbers,
            channel=reminder.channel,
            content={"reminder": reminder.id, **content},
        )


# One encoder each, made once: a morning hashes twenty thousand events.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_CONTENT = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


#: The stored fields a link covers, in the order of its canonical form.
_HASHED = (
    "seq",
    "occurred_at",
    "actor",
    "kind",
    "customer_id",
    "invoice_numbers",
    "channel",
    "content",
    "prev_hash",
)


def _link(values: tuple[Any, ...], key: bytes) -> str:
    """The hash of one event from its `_HASHED` values."""
    seq, occurred_at, *rest = values
    canonical = _CANONICAL.encode([seq, occurred_at.isoformat(), *rest]).encode()
    if key:
        return hmac.new(key, canonical, hashlib.sha256).hexdigest()
    return hashlib.sha256(canonical).hexdigest()


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    kind: str,
    customer_id: int | None,
    invoice_numbers: str,
    channel: str,
    content: str,
    prev_hash: str,
    key: bytes | None = None,
) -> str:
    """SHA-256 over a canonical JSON form of every stored field but the hash itself, keyed
    with `key` (by default the configured `audit_key()`)."""
    return _link(
        (seq, occurred_at, actor, kind, customer_id, invoice_numbers, channel, content, prev_hash),
        audit_key() if key is None else key,
    )


def audit_key() -> bytes:
    """The secret that keys the chain, from the configuration (empty: plain SHA-256 links)."""
    return os.environ.get("RELANCE_AUDIT_KEY", "").encode()


def _stored_hash(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor=event.actor,
        kind=event.kind,
        customer_id=event.customer_id,
        invoice_numbers=event.invoice_numbers,
        channel=event.channel,
        content=event.content,
        prev_hash=event.prev_hash,
    )


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=_LOCK_KEY))


def append(session: Session, event: NewEvent) -> None:
    append_many(session, [event])


def append_many(session: Session, events: Iterable[NewEvent]) -> None:
    """Append events in order, in the caller's transaction (so they commit with the change)."""
    store(session, linked(head(session), events))


@dataclass(frozen=True)
class Head:
    """The chain's last link, read under the append lock (held until the transaction ends):
    the next events link from it."""

    seq: int
    hash: str


def head(session: Session) -> Head:
    _lock_chain(session)
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    return Head(last.seq, last.hash) if last else Head(0, GENESIS_HASH)


def linked(after: Head, events: Iterable[NewEvent]) -> list[tuple[Any, ...]]:
    """The events as rows to store, each linked to the one before, the first to `after`.
    No database here: a morning links twenty thousand while the database takes its
    reminders."""
    seq, prev_hash = after.seq, after.hash
    key, occurred_at = audit_key(), utcnow()  # the events of one append happen together
    rows = []
    for new in events:
        seq += 1
        values = (
            seq,
            occurred_at,
            new.actor,
            new.kind,
            new.customer_id,
            invoice_list.joined(new.invoice_numbers),
            new.channel,
            _CONTENT.encode(new.content),
            prev_hash,
        )
        prev_hash = _link(values, key)
        rows.append((*values, prev_hash))
    return rows


def store(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """`linked` rows, in one bulk insert, in the transaction that read their head."""
    insert_rows(session.connection(), AuditEvent, (*_HASHED, "hash"), rows)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _walk(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.seq) > after)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        session.expunge_all()


def verify(session: Session) -> ChainReport:
    """Walk the chain from the start; name the first event whose link does not hold."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for event in _walk(session):
        if event.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return ChainReport(checked, event.seq, "does not link to the event before it")
        if _stored_hash(event) != event.hash:
            return ChainReport(checked, event.seq, "its content no longer matches its hash")
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    return ChainReport(checked)


def verify_chain(engine: Engine) -> ChainReport:
    """`verify` in a read-only transaction of its own (for the terminal and operators)."""
    with read_only(engine) as session:
        return verify(session)
