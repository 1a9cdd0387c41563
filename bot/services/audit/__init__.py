"""The written record: append-only, hash-chained, verifiable.

Each event stores the hash of the one before it, so changing or deleting any row breaks every
link after it. With `RELANCE_AUDIT_KEY` set, each link is an HMAC keyed with that secret, which
lives in the configuration and never with the data: someone who can write to the database
cannot recompute a chain that verifies. (Deleting the newest events leaves a valid shorter
chain: the heads recorded each morning and the checkpoints of services/audit_checkpoint.py
catch that.)

Keys change: each event names the id of the key that links it (`key_id`, a fingerprint, never
the key), `relance audit rotate-key` appends a `key_rotated` event signed by the old key too,
and verification takes every key it is given (`RELANCE_AUDIT_KEY`, the old ones in
`RELANCE_AUDIT_OLD_KEYS`). An event whose key is not given is not called intact: its links are
followed, and the report says the trail is unverifiable before the first event it can check
again. Events from before key ids were verified with the current key, as they always were.

Appends are serialized: an advisory transaction lock on PostgreSQL, the
`BEGIN IMMEDIATE` write lock on SQLite; the unique `seq` and `prev_hash` columns refuse a fork
even if that serialization were ever bypassed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import insert_rows, read_only
from bot.domain import invoice_list
from bot.models import AuditEvent, AuditEventInvoice, utcnow

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


def key_id(key: bytes) -> str:
    """A key's public name: a fingerprint that tells keys apart and reveals nothing of them
    ("" for no key: plain SHA-256 links)."""
    return hmac.new(key, b"relance/audit-key-id", hashlib.sha256).hexdigest()[:16] if key else ""


def known_keys() -> dict[str, bytes]:
    """Every key verification may use, by id: the current one, the old ones, and none."""
    old = [k.strip().encode() for k in os.environ.get("RELANCE_AUDIT_OLD_KEYS", "").split(",")]
    return {key_id(k): k for k in [b"", *filter(None, old), audit_key()]}


def _stored_hash(event: AuditEvent) -> str:
    """The event's link under the configured key."""
    return hash_with(event, audit_key())


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=_LOCK_KEY))


def append(session: Session, event: NewEvent) -> None:
    append_many(session, [event])


def append_many(session: Session, events: Iterable[NewEvent]) -> None:
    """Append events in order, in the caller's transaction (so they commit with the change);
    inside `batched`, when the batch ends."""
    pending = session.info.get(_PENDING)
    if pending is not None:
        pending.extend(events)
        return
    store(session, linked(head(session), events))


_PENDING = "relance.audit.pending"


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """The events appended inside are linked and stored together when it ends, in the order
    they were appended: one read of the head and one insert for the thousands of events a
    bank statement records (each reminder it overtakes, each payment it applies), instead of
    one of each per event. The same links as one append at a time; nothing is stored if the
    block fails (its transaction rolls back anyway). Nested, the outermost stores."""
    if _PENDING in session.info:
        yield
        return
    pending: list[NewEvent] = []
    session.info[_PENDING] = pending
    try:
        yield
    finally:
        del session.info[_PENDING]
    if pending:
        store(session, linked(head(session), pending))


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


@dataclass(frozen=True)
class Links:
    """Events ready to store: their rows (`_HASHED`, hash, key id), and the rows listing their
    invoices (`AuditEventInvoice.COLUMNS`), each number whole."""

    events: list[tuple[Any, ...]]
    invoices: list[tuple[int, int, str]]


def linked(after: Head, events: Iterable[NewEvent]) -> Links:
    """The events as rows to store, each linked to the one before, the first to `after`.
    No database here: a morning links twenty thousand while the database takes its
    reminders."""
    seq, prev_hash = after.seq, after.hash
    key, occurred_at = audit_key(), utcnow()  # the events of one append happen together
    kid = key_id(key)
    rows, invoices = [], []
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
        rows.append((*values, prev_hash, kid))
        invoices += [(seq, n, number) for n, number in enumerate(new.invoice_numbers)]
    return Links(rows, invoices)


def store(session: Session, links: Links) -> None:
    """`linked` rows, in bulk inserts, in the transaction that read their head."""
    conn = session.connection()
    insert_rows(conn, AuditEvent, (*_HASHED, "hash", "key_id"), links.events)
    insert_rows(conn, AuditEventInvoice, AuditEventInvoice.COLUMNS, links.invoices)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    # the first event after the last one whose key was not given: nothing before it is proven
    unverifiable_before: int | None = None
    missing_keys: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and self.unverifiable_before is None


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


def hash_with(event: AuditEvent, key: bytes) -> str:
    """The event's link as `key` would make it."""
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
        key=key,
    )


def rotation_signature(old_key: bytes, new_id: str, seq: int, hash_: str) -> str:
    """The old key's word that the chain after event `seq` (`hash_`) goes on under `new_id`."""
    return hmac.new(old_key, f"{new_id}|{seq}|{hash_}".encode(), hashlib.sha256).hexdigest()


def _rotation_problem(event: AuditEvent, keys: dict[str, bytes]) -> str:
    content = json.loads(event.content)
    old = keys.get(content.get("from_key", "?"))
    if old is None or not old:
        return ""  # the old key is not given (reported as unverifiable) or there was none
    expected = rotation_signature(old, content.get("to_key", ""), event.seq - 1, event.prev_hash)
    if hmac.compare_digest(expected, str(content.get("old_key_signature", ""))):
        return ""
    return "a key rotation the key it replaces did not sign"


def verify(session: Session, keys: dict[str, bytes] | None = None) -> ChainReport:
    """Walk the chain from the start; name the first event whose link does not hold, or the
    events whose key was not given (`keys` by id; by default the configured ones)."""
    keys = known_keys() if keys is None else keys
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    unverifiable, missing = 0, set()
    for event in _walk(session):
        if event.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return ChainReport(checked, event.seq, "does not link to the event before it")
        if event.key_id is None:  # from before key ids: the current key, as always
            if _stored_hash(event) != event.hash:
                return ChainReport(checked, event.seq, "its content no longer matches its hash")
            checked += 1
        elif event.key_id not in keys:
            unverifiable = event.seq
            missing.add(event.key_id)
        elif hash_with(event, keys[event.key_id]) != event.hash:
            return ChainReport(checked, event.seq, "its content no longer matches its hash")
        elif event.kind == "key_rotated" and (problem := _rotation_problem(event, keys)):
            return ChainReport(checked, event.seq, problem)
        else:
            checked += 1
        prev_hash, expected_seq = event.hash, expected_seq + 1
    if unverifiable:
        return ChainReport(
            checked, unverifiable_before=unverifiable + 1, missing_keys=tuple(sorted(missing))
        )
    return ChainReport(checked)


def verify_chain(engine: Engine) -> ChainReport:
    """`verify` in a read-only transaction of its own (for the terminal and operators)."""
    with read_only(engine) as session:
        return verify(session)
