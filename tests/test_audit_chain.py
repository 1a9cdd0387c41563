"""The audit trail's hash chain: intact after appends, and a changed row is named."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db import unit_of_work
from bot.services import audit


def _append(engine: Engine, count: int) -> None:
    with unit_of_work(engine) as session:
        audit.append_many(session, [
            audit.NewEvent(kind="note", actor="U1", content={"n": n, "text": "é <b>"})
            for n in range(count)
        ])


def test_a_fresh_chain_verifies(engine: Engine) -> None:
    _append(engine, 3)
    _append(engine, 2)
    with unit_of_work(engine) as session:
        report = audit.verify(session)
    assert report.ok and report.checked == 5


def test_an_edited_row_is_named(engine: Engine) -> None:
    _append(engine, 5)
    with engine.begin() as conn:  # behind the app's back
        conn.execute(sa.text("UPDATE audit_event SET content = '{\"n\": 99}' WHERE seq = 3"))
    with unit_of_work(engine) as session:
        report = audit.verify(session)
    assert (report.ok, report.broken_seq, report.checked) == (False, 3, 2)
    assert "no longer matches its hash" in report.reason


def test_a_deleted_row_is_named(engine: Engine) -> None:
    _append(engine, 5)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_event WHERE seq = 2"))
    with unit_of_work(engine) as session:
        report = audit.verify(session)
    assert (report.ok, report.broken_seq) == (False, 2)
    assert "missing" in report.reason
