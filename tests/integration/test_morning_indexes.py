"""Migration 0011_speed drops indexes a morning paid for on every row: the audit chain written
before it still verifies after it (and after going back), appends go on, and the fork guard
(one successor per link) still refuses a second event on the same link — on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db import unit_of_work
from bot.services import audit
from tests.support.migrations import migrate_to
from tests.support.roles import tampering

BEFORE = "0010_types"


def _append(engine: Engine, count: int) -> None:
    with unit_of_work(engine) as session:
        audit.append_many(
            session,
            [audit.NewEvent(kind="note", actor="U1", content={"n": n}) for n in range(count)],
        )


def test_the_chain_survives_the_migration_both_ways(engine: Engine) -> None:
    # Events are written at head (the model knows columns later migrations add), then the
    # schema goes back before 0011_speed, which rebuilds audit_event, and up again.
    _append(engine, 3)
    migrate_to(engine, BEFORE, down=True)
    migrate_to(engine, "head")
    assert audit.verify_chain(engine).checked == 3
    _append(engine, 2)
    assert audit.verify_chain(engine).ok
    migrate_to(engine, BEFORE, down=True)
    migrate_to(engine, "head")
    assert audit.verify_chain(engine).checked == 5
    with engine.connect() as conn:
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("audit_event")}
    assert "ix_audit_event_customer_kind" in indexes
    assert {"ix_audit_event_kind", "ix_audit_event_customer_id"}.isdisjoint(indexes)


def test_a_second_event_on_the_same_link_is_still_refused(engine: Engine) -> None:
    _append(engine, 1)
    with pytest.raises(sa.exc.IntegrityError), tampering(engine) as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit_event (seq, occurred_at, actor, kind, invoice_numbers,"
                " channel, content, prev_hash, hash)"
                " SELECT 2, occurred_at, actor, kind, '', '', '{}', prev_hash, 'forked'"
                " FROM audit_event WHERE seq = 1"
            )
        )
