"""The audit trail's hash chain: intact after appends, and a changed row is named."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db import unit_of_work
from bot.services import audit
from tests.support.roles import owner_of, tampering


def _append(engine: Engine, count: int) -> None:
    with unit_of_work(engine) as session:
        audit.append_many(
            session,
            [
                audit.NewEvent(
                    kind="note",
                    actor="U1",
                    invoice_numbers=(f"F-{n}",),
                    content={"n": n, "text": "é <b>"},
                )
                for n in range(count)
            ],
        )


def tamper(engine: Engine, sql: str) -> None:
    """Change the table behind the app's back. PostgreSQL refuses it to the app's role, and
    its trigger to anyone, so there the tamperer is a superuser who switches triggers off."""
    with tampering(engine) as conn:
        conn.execute(sa.text(sql))


def test_postgres_refuses_updates_and_deletes_even_to_the_owner(postgres_engine: Engine) -> None:
    _append(postgres_engine, 2)
    engine = owner_of(postgres_engine)
    for sql, refusal in (
        ("UPDATE audit_event SET actor = 'x'", "audit_event is append-only"),
        ("DELETE FROM audit_event", "audit_event is append-only"),
        # its invoices' rows point at it: emptied alone, they would be left behind
        ("TRUNCATE audit_event", "referenced in a foreign key"),
        ("TRUNCATE audit_event CASCADE", "is append-only"),
        ("TRUNCATE audit_event, audit_event_invoice", "is append-only"),
        ("UPDATE audit_event_invoice SET number = 'x'", "audit_event_invoice is append-only"),
        ("DELETE FROM audit_event_invoice", "audit_event_invoice is append-only"),
        ("TRUNCATE audit_event_invoice", "audit_event_invoice is append-only"),
    ):
        with pytest.raises(sa.exc.DBAPIError, match=refusal), engine.begin() as conn:
            conn.execute(sa.text(sql))
    with unit_of_work(engine) as session:
        assert audit.verify(session).checked == 2
    engine.dispose()


def test_a_fresh_chain_verifies(engine: Engine) -> None:
    _append(engine, 3)
    _append(engine, 2)
    with unit_of_work(engine) as session:
        report = audit.verify(session)
    assert report.ok and report.checked == 5


def _note(n: int) -> audit.NewEvent:
    return audit.NewEvent(kind="note", actor="U1", content={"n": n})


def test_a_batch_stores_its_events_at_its_end_in_order_and_the_chain_verifies(
    engine: Engine,
) -> None:
    _append(engine, 2)
    with unit_of_work(engine) as session:
        with audit.batched(session):
            audit.append(session, _note(1))
            with audit.batched(session):  # nested: the outermost stores
                audit.append_many(session, [_note(2), _note(3)])
            audit.append(session, _note(4))
            assert audit.head(session).seq == 2  # nothing stored yet
        assert audit.head(session).seq == 6
    with unit_of_work(engine) as session:
        stored = session.exec(sa.select(audit.AuditEvent.content).order_by("seq")).all()
        report = audit.verify(session)
    assert [row[0] for row in stored[2:]] == [f'{{"n": {n}}}' for n in (1, 2, 3, 4)]
    assert report.ok and report.checked == 6


def test_a_failed_batch_stores_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError), unit_of_work(engine) as session, audit.batched(session):
        audit.append(session, _note(1))
        raise RuntimeError("the change failed")
    with unit_of_work(engine) as session:
        assert audit.head(session).seq == 0
        audit.append(session, _note(2))  # the session is not left batching
    with unit_of_work(engine) as session:
        assert audit.verify(session).checked == 1


def test_an_edited_row_is_named(engine: Engine) -> None:
    _append(engine, 5)
    tamper(engine, "UPDATE audit_event SET content = '{\"n\": 99}' WHERE seq = 3")
    with unit_of_work(engine) as session:
        report = audit.verify(session)
    assert (report.ok, report.broken_seq, report.checked) == (False, 3, 2)
    assert "no longer matches its hash" in report.reason


def test_a_deleted_row_is_named(engine: Engine) -> None:
    _append(engine, 5)
    tamper(engine, "DELETE FROM audit_event WHERE seq = 2")
    with unit_of_work(engine) as session:
        report = audit.verify(session)
    assert (report.ok, report.broken_seq) == (False, 2)
    assert "missing" in report.reason
