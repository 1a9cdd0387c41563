"""The audit trail against its recorded heads and across keys (issue 25, finding 13): an
emptied or shortened trail fails against the head the morning recorded, without a checkpoint
file; a key rotation keeps the whole history verifiable; a lost key is never "intact"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import make_engine, read_only, unit_of_work, upgrade
from bot.entry.cli import main
from bot.models import AuditHead
from bot.services import audit
from bot.services.audit import checkpoint as audit_checkpoint
from bot.services.audit.keys import rotate_key
from bot.services.common.errors import Invalid
from bot.services.overview import digest
from tests.support.roles import tampering

DAY = date(2026, 11, 26)


def _append(engine: Engine, count: int) -> None:
    with unit_of_work(engine) as session:
        audit.append_many(
            session,
            [audit.NewEvent(kind="note", actor="U1", content={"n": n}) for n in range(count)],
        )


def _morning(engine: Engine) -> None:
    """The digest posted: the morning records the chain's head with it."""
    run = digest.claim(engine, DAY, "CDIGEST", "instance-1", datetime(2026, 11, 26, 8, tzinfo=UTC))
    assert run is not None and run.id is not None
    digest.mark_posted(engine, run.id, "1.0", digest.build_digest(engine, DAY, "CDIGEST"))


def _tamper(engine: Engine, sql: str) -> None:
    with tampering(engine) as conn:
        conn.execute(sa.text(sql))


def _recorded(engine: Engine) -> str | None:
    with read_only(engine) as session:
        return audit_checkpoint.check_recorded(session)


def _verify(engine: Engine) -> audit.ChainReport:
    with read_only(engine) as session:
        return audit.verify(session)


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELANCE_AUDIT_KEY", "key-one")
    monkeypatch.delenv("RELANCE_AUDIT_OLD_KEYS", raising=False)


@pytest.mark.parametrize("cut", ["seq >= 4", "seq > 0"], ids=["shortened", "emptied"])
def test_a_shortened_or_emptied_trail_fails_against_the_morning_s_head(
    engine: Engine, cut: str
) -> None:
    _append(engine, 5)
    _morning(engine)
    with read_only(engine) as session:
        (recorded,) = session.exec(select(AuditHead)).all()
    assert (recorded.seq, recorded.key_id) == (5, audit.key_id(b"key-one"))
    assert _recorded(engine) is None
    _tamper(engine, f"DELETE FROM audit_event WHERE {cut}")
    assert _verify(engine).ok  # what is left is a valid chain by itself
    problem = _recorded(engine)
    assert problem is not None and "event #5" in problem and "missing" in problem


def test_a_forged_recorded_head_is_refused(engine: Engine) -> None:
    _append(engine, 3)
    _morning(engine)
    _tamper(engine, "UPDATE audit_head SET seq = 2")
    problem = _recorded(engine)
    assert problem is not None and "signature" in problem


def test_relance_audit_verify_says_broken_for_an_emptied_trail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    _append(engine, 4)
    _morning(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_event"))
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["audit", "verify"]) == 1
    assert "audit trail BROKEN: event #4" in capsys.readouterr().err


def test_a_rotated_key_keeps_the_whole_history_verifiable(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append(engine, 3)
    monkeypatch.setenv("RELANCE_AUDIT_KEY", "key-two")
    with pytest.raises(Invalid, match="RELANCE_AUDIT_OLD_KEYS"):
        rotate_key(engine, "ops")  # the old key is needed to sign the hand-over
    monkeypatch.setenv("RELANCE_AUDIT_OLD_KEYS", "key-one")
    rotated = rotate_key(engine, "ops")
    assert (rotated.seq, rotated.from_key, rotated.to_key) == (
        4,
        audit.key_id(b"key-one"),
        audit.key_id(b"key-two"),
    )
    with pytest.raises(Invalid, match="already"):
        rotate_key(engine, "ops")
    _append(engine, 2)
    report = _verify(engine)
    assert report.ok and report.checked == 6

    monkeypatch.delenv("RELANCE_AUDIT_OLD_KEYS")  # the old key lost
    report = _verify(engine)
    assert not report.ok and report.broken_seq is None
    assert (report.unverifiable_before, report.checked) == (4, 3)
    assert report.missing_keys == (audit.key_id(b"key-one"),)


def test_a_lost_key_is_reported_unverifiable_by_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    _append(engine, 3)
    monkeypatch.setenv("RELANCE_AUDIT_KEY", "key-two")  # key-one lost, never rotated
    _append(engine, 1)
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "UNVERIFIABLE before event #4" in err and "intact" not in err


def test_events_from_before_key_ids_verify_as_they_always_did(engine: Engine) -> None:
    _append(engine, 4)
    _tamper(engine, "UPDATE audit_event SET key_id = NULL")  # as the migration leaves them
    report = _verify(engine)
    assert report.ok and report.checked == 4
    _tamper(engine, "UPDATE audit_event SET actor = 'U2' WHERE seq = 2")
    assert _verify(engine).broken_seq == 2
