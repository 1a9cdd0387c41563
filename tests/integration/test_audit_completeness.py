"""The audit trail proves it is complete: links keyed with a secret kept out of the database,
and signed checkpoints that catch deleted newest events and rewritten chains."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import unit_of_work
from bot.entry.cli import main
from bot.models import AuditEvent
from bot.services import audit
from tests.support.roles import tampering

KEY = "a-secret-kept-in-the-configuration"


@pytest.fixture
def keyed(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    monkeypatch.setenv("RELANCE_AUDIT_KEY", KEY)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)  # no .env
    return engine


def append(engine: Engine, count: int, start: int = 0) -> None:
    with unit_of_work(engine) as session:
        audit.append_many(
            session,
            [
                audit.NewEvent(kind="note", actor="U1", content={"n": start + n})
                for n in range(count)
            ],
        )


def rewrite(engine: Engine, recompute) -> None:  # type: ignore[no-untyped-def]
    """A tamperer with write access changes event 2 and recomputes every link after it."""
    with tampering(engine) as conn:
        rows = conn.execute(sa.select(AuditEvent).order_by(col(AuditEvent.seq))).all()
        conn.execute(sa.delete(AuditEvent))
        prev = audit.GENESIS_HASH
        for row in rows:
            values = {c: getattr(row, c) for c in row._fields}
            if values["seq"] == 2:
                values["content"] = '{"n": "paid in full"}'
            values["prev_hash"] = prev
            fields = {k: v for k, v in values.items() if k not in ("id", "hash", "key_id")}
            values["hash"] = prev = recompute(**fields)
            conn.execute(sa.insert(AuditEvent).values(**values))


def plain_sha256(**fields: object) -> str:
    canonical = json.dumps(
        [
            fields["seq"],
            fields["occurred_at"].isoformat(),  # type: ignore[attr-defined]
            fields["actor"],
            fields["kind"],
            fields["customer_id"],
            fields["invoice_numbers"],
            fields["channel"],
            fields["content"],
            fields["prev_hash"],
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify(engine: Engine) -> audit.ChainReport:
    with unit_of_work(engine) as session:
        return audit.verify(session)


def test_a_chain_rewritten_without_the_key_does_not_verify(keyed: Engine) -> None:
    append(keyed, 4)
    assert verify(keyed).ok
    rewrite(keyed, plain_sha256)
    report = verify(keyed)
    assert not report.ok and report.broken_seq == 1


def test_deleted_newest_events_are_caught_by_a_checkpoint(
    keyed: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(keyed, 5)
    point = tmp_path / "head.json"
    assert main(["audit", "checkpoint", "-o", str(point)]) == 0
    assert json.loads(point.read_text())["seq"] == 5
    append(keyed, 2, start=5)
    assert main(["audit", "verify", "--checkpoint", str(point)]) == 0
    with tampering(keyed) as conn:
        conn.execute(sa.delete(AuditEvent).where(AuditEvent.seq >= 4))
    assert verify(keyed).ok  # the shorter chain alone looks whole
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoint", str(point)]) == 1
    assert "newest events were deleted" in capsys.readouterr().err


def test_a_chain_rewritten_with_the_key_is_caught_by_a_checkpoint(
    keyed: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(keyed, 4)
    point = tmp_path / "head.json"
    assert main(["audit", "checkpoint", "-o", str(point)]) == 0
    rewrite(keyed, audit.event_hash)  # even a tamperer who stole the key
    assert verify(keyed).ok
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoint", str(point)]) == 1
    assert "rewritten" in capsys.readouterr().err


def test_a_forged_checkpoint_is_refused(
    keyed: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(keyed, 3)
    point = tmp_path / "head.json"
    assert main(["audit", "checkpoint", "-o", str(point)]) == 0
    forged = json.loads(point.read_text())
    forged["seq"] = 2
    point.write_text(json.dumps(forged))
    assert main(["audit", "verify", "--checkpoint", str(point)]) == 1
    assert "signature does not match" in capsys.readouterr().err


def test_no_checkpoint_without_a_key(
    keyed: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RELANCE_AUDIT_KEY")
    assert main(["audit", "checkpoint", "-o", str(tmp_path / "x.json")]) == 1
    with unit_of_work(keyed) as session:
        assert session.exec(select(AuditEvent)).all() == []
