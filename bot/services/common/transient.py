"""Which database errors are worth trying again: a dropped connection, a server restarting,
a lock that timed out. Anything else is a bug or bad data, and retrying would only repeat it."""

from __future__ import annotations

import sqlalchemy as sa


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)
