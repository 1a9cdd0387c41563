"""Engine and units of work: SQLite by default, PostgreSQL by `DATABASE_URL`.

SQLite runs in WAL mode with foreign keys on, and every writing transaction starts with
`BEGIN IMMEDIATE`: writers queue for the lock up front instead of failing half-way when two of
them read and then both try to write (the approval race, the audit chain). Read-only work uses
`read_only()`, which takes no lock at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import Table, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.sql.schema import ColumnDefault
from sqlmodel import Session, SQLModel, create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Dates go to SQLite as ISO text, the form SQLAlchemy's Date type reads back (Python 3.12
# deprecates the implicit adapter, so it is registered explicitly).
sqlite3.register_adapter(date, date.isoformat)


def normalize_url(url: str) -> str:
    """Accept the usual `postgresql://` / `postgres://` forms and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # let the `begin` hook issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    read_only = connection.get_execution_options().get("relance_read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _table(model: type[SQLModel]) -> Table:
    """The table `model` maps (SQLModel's types do not declare `__table__`)."""
    table = sa.inspect(model).local_table
    assert isinstance(table, Table)
    return table


def insert_rows(
    conn: Connection,
    model: type[SQLModel],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Thousands of new rows of one table, in the caller's transaction, as fast as the database
    takes them: one COPY on PostgreSQL (an executemany there is one statement per row), one
    driver-level executemany on SQLite (SQLAlchemy's per-row machinery left out).

    Each row holds the values of `columns`, in that order; a column left out takes the table's
    default. On SQLite the columns' own conversions (dates and times to text) run once per
    distinct value: a morning's rows share their run date, their instant and a few openings."""
    if not rows:
        return
    table = _table(model)
    defaults = [
        (c.name, c.default.arg(None) if c.default.is_callable else c.default.arg)
        for c in table.columns
        if c.name not in columns and isinstance(c.default, ColumnDefault)
    ]
    names = [*columns, *(name for name, _value in defaults)]
    tail = tuple(value for _name, value in defaults)
    if conn.dialect.name == "postgresql":
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row((*row, *tail))
        return
    converters: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (i, process, {})
        for i, name in enumerate(names)
        if (process := table.c[name].type.bind_processor(conn.dialect)) is not None
    ]
    for_driver: list[tuple[Any, ...]] = []
    for row in rows:
        if not converters:
            for_driver.append((*row, *tail))
            continue
        values = [*row, *tail]
        for i, convert, seen in converters:
            value = values[i]
            try:
                values[i] = seen[value]
            except KeyError:
                values[i] = seen[value] = convert(value)
            except TypeError:  # unhashable (a JSON value): converted each time
                values[i] = convert(value)
        for_driver.append(tuple(values))
    quote = conn.dialect.identifier_preparer.quote
    conn.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) "
        f"VALUES ({', '.join('?' * len(names))})",
        for_driver,
    )


def new_ids(conn: Connection, model: type[SQLModel], count: int) -> list[int]:
    """`count` fresh primary keys for rows about to be inserted with `insert_rows`, so the
    caller knows its rows' ids without reading them back. PostgreSQL draws them from the
    table's sequence (safe beside other writers); SQLite continues after the largest id, which
    is safe because every writing transaction holds the database's write lock from its start
    (`BEGIN IMMEDIATE`)."""
    if count <= 0:
        return []
    table = _table(model)
    if conn.dialect.name == "postgresql":
        return sorted(
            conn.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id'))"
                " FROM generate_series(1, %(count)s)",
                {"table": table.name, "count": count},
            ).scalars()
        )
    last = conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
    return list(range(last + 1, last + 1 + count))


def refresh_statistics(engine: Engine, *models: type[SQLModel]) -> None:
    """Have PostgreSQL's planner see tables a bulk write has just grown, before they are read:
    autovacuum samples them only later, and a plan built for an empty table walks a hundred
    thousand rows one lookup at a time. Tables this role does not own are skipped with a
    warning by the server, not an error. SQLite plans without such statistics."""
    if engine.dialect.name != "postgresql" or not models:
        return
    names = ", ".join(engine.dialect.identifier_preparer.quote(_table(m).name) for m in models)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"ANALYZE {names}")


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_only(engine: Engine) -> Iterator[Session]:
    """A transaction that only reads: on SQLite it takes no write lock, so a long report never
    holds up a click, and in WAL mode it sees one consistent snapshot."""
    with Session(
        engine.execution_options(relance_read_only=True), expire_on_commit=False
    ) as session:
        try:
            yield session
        finally:
            session.close()  # detaches what was read, still loaded; nothing to commit


def schema_is_current(engine: Engine) -> bool:
    """Whether every migration has been applied: commands that only read refuse an older schema
    with a clear word instead of failing on a missing table."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(ScriptDirectory.from_config(config).get_heads())


APP_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def grant_app_role(owner: Engine, role: str) -> None:
    """What the app's PostgreSQL role may do in the schema the owner migrated: read and write
    every table except the audit trail, the index of its events' invoices and its recorded
    heads, which it may only read and append to (no UPDATE, DELETE or TRUNCATE; not being the
    owner, it cannot switch the append-only triggers off);
    use the sequences. Tables created by later migrations get the same by default."""
    with owner.begin() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
        quote = conn.dialect.identifier_preparer.quote
        to, where = quote(role), quote(schema)
        for statement in (
            f"GRANT USAGE ON SCHEMA {where} TO {to}",
            f"GRANT {APP_PRIVILEGES} ON ALL TABLES IN SCHEMA {where} TO {to}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM {to}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_event_invoice FROM {to}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_head FROM {to}",
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {to}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {to}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT {APP_PRIVILEGES} ON TABLES TO {to}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT USAGE, SELECT ON SEQUENCES TO {to}",
        ):
            conn.exec_driver_sql(statement)


def migrate(database_url: str, migration_url: str = "") -> None:
    """Apply the migrations as the tables' owner (`migration_url`, else `database_url`); on
    PostgreSQL with two different roles, grant the app's role what it needs
    (`grant_app_role`)."""
    owner = make_engine(migration_url or database_url)
    try:
        upgrade(owner)
        app_user = make_url(normalize_url(database_url)).username
        if is_postgres(owner) and app_user and app_user != owner.url.username:
            grant_app_role(owner, app_user)
    finally:
        owner.dispose()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations to the database behind `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
