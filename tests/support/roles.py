"""PostgreSQL as deployed: the tables owned by one role (migrations), the app logged in as
another (`relance_app`) that may only read and append to the audit trail."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.db import make_engine

APP_ROLE = "relance_app"
OWNER_URL = os.environ.get(
    "RELANCE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)  # a superuser: it creates the schemas and the app's role, and owns the tables


def create_app_role(admin: Engine) -> None:
    """The app's login role, once per server (other test sessions may race to create it)."""
    with admin.connect() as conn:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %(role)s", {"role": APP_ROLE}
        ).first()
    if exists:
        return
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {APP_ROLE} LOGIN")
    except sa.exc.ProgrammingError:  # created by another session meanwhile
        pass


def as_app(url: str) -> str:
    return sa.make_url(url).set(username=APP_ROLE).render_as_string(hide_password=False)


def owner_of(engine: Engine) -> Engine:
    """The same database and schema as `engine`, logged in as the owner."""
    owner = engine.url.set(username=sa.make_url(OWNER_URL).username)
    return make_engine(owner.render_as_string(hide_password=False))


@contextmanager
def tampering(engine: Engine) -> Iterator[Connection]:
    """A connection for someone with full rights over the tables behind the app's back: on
    PostgreSQL a superuser with the triggers off (the app's role may not even try)."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            yield conn
        return
    owner = owner_of(engine)
    try:
        with owner.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            yield conn
    finally:
        owner.dispose()
