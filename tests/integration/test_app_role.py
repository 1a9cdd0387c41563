"""On PostgreSQL the app runs as a role that does not own the tables (the whole suite does):
it reads and writes its tables, appends to the audit trail and verifies it, but may neither
change nor delete an event, nor switch off the trigger that guards them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db import unit_of_work
from bot.entry.cli import main
from bot.services import audit
from tests.support.roles import APP_ROLE, owner_of


def _append(engine: Engine, count: int) -> None:
    with unit_of_work(engine) as session:
        audit.append_many(
            session,
            [
                audit.NewEvent(kind="note", actor="U1", invoice_numbers=("F-1",), content={"n": n})
                for n in range(count)
            ],
        )


def test_the_app_appends_and_verifies_as_its_own_role(postgres_engine: Engine) -> None:
    with postgres_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT current_user").scalar_one() == APP_ROLE
    _append(postgres_engine, 2)
    _append(postgres_engine, 1)
    with unit_of_work(postgres_engine) as session:
        report = audit.verify(session)
    assert report.ok and report.checked == 3


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_event SET actor = 'mallory'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change",
        "ALTER TABLE audit_event DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_event_no_change ON audit_event",
        "UPDATE audit_head SET seq = 0",  # the heads the mornings recorded
        "DELETE FROM audit_head",
        "TRUNCATE audit_head",
        "UPDATE audit_event_invoice SET number = 'F-9'",  # the index of the events' invoices
        "DELETE FROM audit_event_invoice",
        "TRUNCATE audit_event_invoice",
    ],
)
def test_the_app_role_may_not_rewrite_the_audit_trail(postgres_engine: Engine, sql: str) -> None:
    _append(postgres_engine, 2)
    with (
        pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"),
        postgres_engine.begin() as conn,
    ):
        conn.exec_driver_sql(sql)
    with unit_of_work(postgres_engine) as session:
        assert audit.verify(session).checked == 2


def test_db_grant_gives_the_app_role_its_rights_again(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    owner = owner_of(postgres_engine)
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("DATABASE_URL", postgres_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MIGRATION_DATABASE_URL", owner.url.render_as_string(hide_password=False))
    with owner.begin() as conn:
        conn.exec_driver_sql(f"REVOKE SELECT, INSERT ON audit_event FROM {APP_ROLE}")
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        _append(postgres_engine, 1)
    assert main(["db", "grant", APP_ROLE]) == 0
    _append(postgres_engine, 1)
    owner.dispose()


def test_db_grant_is_refused_on_sqlite(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("MIGRATION_DATABASE_URL", raising=False)
    assert main(["db", "grant", APP_ROLE]) == 2
