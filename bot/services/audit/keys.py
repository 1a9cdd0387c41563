"""Changing the audit key without losing the history it linked.

The operator sets `RELANCE_AUDIT_KEY` to the new key and puts the old one in
`RELANCE_AUDIT_OLD_KEYS`, then runs `relance audit rotate-key`: a `key_rotated` event is
appended under the new key, carrying the old key's signature over the new key's id and the
chain's head, so the hand-over itself is proven by both keys. Verification then walks the
whole history with every key it is given (services/audit.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import unit_of_work
from bot.models import AuditEvent
from bot.services import audit
from bot.services.common.errors import Invalid


@dataclass(frozen=True)
class Rotated:
    seq: int  # the rotation event
    from_key: str
    to_key: str


def rotate_key(engine: Engine, actor: str) -> Rotated:
    new = audit.audit_key()
    if not new:
        raise Invalid(
            "set RELANCE_AUDIT_KEY to the new key (and the old one in RELANCE_AUDIT_OLD_KEYS)"
        )
    keys, new_id = audit.known_keys(), audit.key_id(new)
    with unit_of_work(engine) as session:
        last = audit.head(session)  # under the append lock until this transaction ends
        event = session.exec(select(AuditEvent).where(col(AuditEvent.seq) == last.seq)).first()
        old_id = _key_of(event, keys) if event is not None else ""
        if old_id is None:
            raise Invalid(
                f"event #{last.seq} is linked with a key not given: put the old key in "
                "RELANCE_AUDIT_OLD_KEYS"
            )
        if old_id == new_id:
            raise Invalid("the chain is already linked with RELANCE_AUDIT_KEY: nothing to rotate")
        old = keys[old_id]
        content = {
            "from_key": old_id,
            "to_key": new_id,
            "old_key_signature": (
                audit.rotation_signature(old, new_id, last.seq, last.hash) if old else ""
            ),
        }
        rows = audit.linked(
            last, [audit.NewEvent(kind="key_rotated", actor=actor, content=content)]
        )
        audit.store(session, rows)
        return Rotated(last.seq + 1, old_id, new_id)


def _key_of(event: AuditEvent, keys: dict[str, bytes]) -> str | None:
    """The id of the key that links `event` (found by trying each for events from before key
    ids); None when it is none of those given."""
    if event.key_id is not None:
        return event.key_id if event.key_id in keys else None
    return next(
        (kid for kid, key in keys.items() if audit.hash_with(event, key) == event.hash), None
    )
