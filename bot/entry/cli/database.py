"""Database maintenance: migrations, the app role's rights."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from bot.db import grant_app_role, make_engine
from bot.entry.cli._common import migrate_database


def _db_grant(settings: Settings, args: argparse.Namespace) -> int:
    owner = make_engine(settings.migration_database_url or settings.database_url)
    if owner.dialect.name != "postgresql":
        print("error: roles are PostgreSQL's; SQLite has none to grant", file=sys.stderr)
        return 2
    grant_app_role(owner, args.role)
    owner.dispose()
    print(f"{args.role} may now use the tables (the audit trail: read and append only)")
    return 0


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    migrate_database(settings)
    print("database is up to date")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=_db_upgrade)
    grant = db_commands.add_parser(
        "grant",
        help="give the app's PostgreSQL role its rights (as the owner: MIGRATION_DATABASE_URL)",
    )
    grant.add_argument("role", help="the role DATABASE_URL logs in as, e.g. relance_app")
    grant.set_defaults(handler=_db_grant)
