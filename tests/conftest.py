"""Shared fixtures: a clean, migrated database per test, on SQLite and on PostgreSQL.

PostgreSQL tests use a schema of their own per test session, so they never touch other data
in the `test` database. Under CI (or RELANCE_REQUIRE_POSTGRES=1) a missing server fails the run
instead of skipping the PostgreSQL half.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.db import make_engine, migrate, normalize_url, upgrade
from tests.support.roles import OWNER_URL, as_app, create_app_role, tampering

pytest_plugins = [
    "tests.support.slack_fixtures",
    "tests.support.smtp_server",
    "tests.support.page_world",
    "tests.support.browser",
    "tests.support.imap_server",
    "tests.support.strict_slack",
    "tests.support.own_postgres",
]

POSTGRES_URL = OWNER_URL
REQUIRE_POSTGRES = os.environ.get("RELANCE_REQUIRE_POSTGRES") == "1" or bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A schema of this session's, migrated by the owner; the URL logs in as the app's role."""
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    schema = f"relance_test_{os.getpid()}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    create_app_role(admin)
    separator = "&" if "?" in POSTGRES_URL else "?"
    owner_url = (
        normalize_url(POSTGRES_URL) + separator + "options=" + quote(f"-csearch_path={schema}")
    )
    url = as_app(owner_url)
    migrate(url, owner_url)  # as the owner, granting the app's role its rights
    yield url
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "relance.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _empty_postgres(engine: Engine) -> None:
    """Emptied by the owner (the app's role may not truncate the audit trail)."""
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    with tampering(engine) as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "relance.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        _empty_postgres(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """For what only PostgreSQL has (triggers, SKIP LOCKED)."""
    engine = make_engine(postgres_url)
    _empty_postgres(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """A migrated SQLite database, for tests that are about logic, not about the backend."""
    path = tmp_path / "relance.sqlite"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
