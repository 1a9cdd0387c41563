"""Anchoring the audit chain outside the database.

A checkpoint is the chain's head (its newest event's number and hash) at a moment, signed with
the audit key and kept away from the database (a file an operator archives, the daily digest
message in Slack). A later verification against it catches what a chain alone cannot show:
newest events deleted (the chain ends before the checkpoint), or the chain rewritten with
recomputed links (the event at the checkpoint has another hash).

The morning records the head too, each day, in the database (`record_head`, the `audit_head`
table the app's role may only append to): `relance audit verify` compares the trail with the
latest recorded head (`check_recorded`), so an emptied or shortened trail fails without a
checkpoint file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only
from bot.models import AuditEvent, AuditHead, utcnow
from bot.services.audit import audit_key, key_id, known_keys
from bot.services.common.errors import Invalid


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    taken_at: str
    signature: str


def head(session: Session) -> Head:
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    return Head(last.seq, last.hash) if last else Head(0, "")


def read_head(engine: Engine) -> Head:
    with read_only(engine) as session:
        return head(session)


def _signature(key: bytes, seq: int, hash_: str, taken_at: str) -> str:
    return hmac.new(key, f"{seq}|{hash_}|{taken_at}".encode(), hashlib.sha256).hexdigest()


def take(engine: Engine, now: datetime | None = None) -> str:
    """The checkpoint as the JSON text of a file; refused without an audit key."""
    key = audit_key()
    if not key:
        raise Invalid("a checkpoint is signed with RELANCE_AUDIT_KEY: set it first")
    current = read_head(engine)
    taken_at = (now or utcnow()).isoformat()
    point = Checkpoint(
        current.seq, current.hash, taken_at, _signature(key, current.seq, current.hash, taken_at)
    )
    return json.dumps(asdict(point), indent=2) + "\n"


def check(session: Session, text: str) -> str | None:
    """None when the chain still holds the checkpoint's head; otherwise what is wrong."""
    try:
        point = Checkpoint(**json.loads(text))
    except (ValueError, TypeError):
        return "the checkpoint file cannot be read"
    key = audit_key()
    if not key or not hmac.compare_digest(
        point.signature, _signature(key, point.seq, point.hash, point.taken_at)
    ):
        return "the checkpoint's signature does not match this audit key"
    if point.seq == 0:
        return None
    event = session.exec(select(AuditEvent).where(col(AuditEvent.seq) == point.seq)).first()
    if event is None:
        return (
            f"event #{point.seq}, the head at {point.taken_at}, is missing: "
            "the newest events were deleted"
        )
    if event.hash != point.hash:
        return f"event #{point.seq} is not the one checkpointed at {point.taken_at}: rewritten"
    return None


def record_head(session: Session, now: datetime) -> None:
    """Today's head, kept with the time and signed with the audit key (when there is one)."""
    current = head(session)
    recorded_at = now.replace(microsecond=0)
    key = audit_key()
    session.add(
        AuditHead(
            recorded_at=recorded_at,
            seq=current.seq,
            hash=current.hash,
            key_id=key_id(key),
            signature=(
                _signature(key, current.seq, current.hash, recorded_at.isoformat()) if key else ""
            ),
        )
    )


def check_recorded(session: Session) -> str | None:
    """None when the trail still holds the latest head a morning recorded; otherwise what is
    wrong."""
    latest = session.exec(
        select(AuditHead).order_by(col(AuditHead.seq).desc(), col(AuditHead.id).desc()).limit(1)
    ).first()
    if latest is None or latest.seq == 0:
        return None
    when = latest.recorded_at.replace(microsecond=0).isoformat()
    key = known_keys().get(latest.key_id)
    if key and not hmac.compare_digest(
        latest.signature, _signature(key, latest.seq, latest.hash, when)
    ):
        return f"the head recorded at {when} does not carry its key's signature: altered"
    event = session.exec(select(AuditEvent).where(col(AuditEvent.seq) == latest.seq)).first()
    if event is None:
        return (
            f"event #{latest.seq}, the head recorded at {when}, is missing: the trail was "
            "emptied or its newest events deleted"
        )
    if event.hash != latest.hash:
        return f"event #{latest.seq} is not the one recorded as the head at {when}: rewritten"
    return None
