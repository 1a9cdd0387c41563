"""What the command groups share: the database a command reads, dates as arguments."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from bot.config import Settings
from bot.db import make_engine, migrate, schema_is_current
from bot.failures import Failure


class NotReady(Failure):
    """The database a read-only command was pointed at has not been set up."""


def existing_engine(settings: Settings) -> Engine:
    """The database, if it exists and is migrated: a command that only reads must not create
    an empty SQLite file or fail on a missing table."""
    url = make_url(settings.database_url)
    is_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if is_file and not Path(str(url.database)).exists():
        raise NotReady(
            f"there is no database at {url.database} yet",
            "import invoices first (`relance import FILE`) or run `relance db upgrade`",
        )
    engine = make_engine(settings.database_url)
    if not schema_is_current(engine):
        raise NotReady(
            "the database has not been upgraded to this version", "run `relance db upgrade`"
        )
    return engine


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date as YYYY-MM-DD") from None


def migrate_database(settings: Settings) -> None:
    """Migrations run as the tables' owner (MIGRATION_DATABASE_URL, else DATABASE_URL)."""
    migrate(settings.database_url, settings.migration_database_url)
