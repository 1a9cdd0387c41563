"""Moving a test database between revisions as deployed: as the tables' owner; back at the head,
the app's role is granted its rights again, as `relance migrate` does (tables a migration made
anew get those, and only those)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from bot.db import MIGRATIONS_DIR, grant_app_role
from tests.support.roles import APP_ROLE, owner_of


def migrate_to(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Up (or `down`) to `revision`; on PostgreSQL as the owner, not the app's role."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    owner = owner_of(engine) if engine.dialect.name == "postgresql" else engine
    with owner.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    if owner is not engine:
        if revision == "head":
            grant_app_role(owner, APP_ROLE)
        owner.dispose()
