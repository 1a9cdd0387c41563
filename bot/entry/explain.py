"""Why a command failed, as one line a person can act on: the cause, then the fix.

Commands raise `Failure` (bot/failures.py) where they know the context; anything else that
escapes a command is explained here from its type (the database, Slack, a mail server, a file),
never shown as a traceback unless `--debug` asks for it. Messages never carry a password, a
token or a database URL.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

from bot.failures import Failure
from bot.services.operations.settings_check import refusal


@dataclass(frozen=True)
class Explained:
    cause: str
    fix: str
    code: int

    @property
    def line(self) -> str:
        return f"{self.cause}: {self.fix}"


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__


def _database(exc: Exception) -> Failure | None:
    from sqlalchemy import exc as sa

    if isinstance(exc, (sa.ArgumentError, sa.NoSuchModuleError)):
        return Failure(
            "DATABASE_URL is not a database address this app knows",
            "set it to sqlite:///relance.sqlite or postgresql://user:password@host:5432/name",
        )
    if isinstance(exc, sa.DBAPIError):
        message = _first_line(exc.orig)
        if "no such table" in message or ("relation" in message and "does not exist" in message):
            return Failure(
                f"the database has no tables yet ({message})", "run `relance db upgrade`"
            )
        if isinstance(exc, (sa.OperationalError, sa.InterfaceError)):
            return Failure(
                f"the database cannot be reached ({message})",
                "check that it is running and that DATABASE_URL names it",
                code=1,
            )
    return None


def _slack(exc: Exception) -> Failure | None:
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    if isinstance(exc, SlackApiError):
        error = exc.response.get("error", "") if exc.response is not None else ""
        if error in ("invalid_auth", "not_authed", "token_revoked", "account_inactive"):
            return Failure(
                f"Slack refused the token ({error})",
                "copy SLACK_BOT_TOKEN from your app's OAuth & Permissions page "
                "(and SLACK_APP_TOKEN from Basic Information, App-Level Tokens)",
            )
        return Failure(f"Slack answered {error or 'an error'}", "see docs/deployment.md", code=1)
    if isinstance(exc, BoltError):
        return Failure(
            f"the Slack app could not start ({_first_line(exc)})",
            "check SLACK_BOT_TOKEN and SLACK_APP_TOKEN",
        )
    return None


def _network(exc: Exception) -> Failure | None:
    """A server that is down, unknown, slow or speaking TLS badly (mail, Slack, a database)."""
    from urllib.error import HTTPError, URLError

    if isinstance(exc, URLError) and not isinstance(exc, HTTPError):
        if isinstance(exc.reason, Exception):
            return _network(exc.reason)
        return Failure(f"a server cannot be reached ({exc.reason})", "check its address", 1)
    where = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
    if isinstance(exc, socket.gaierror):
        return Failure(f"a server's name is unknown ({exc.strerror})", "check the host setting", 1)
    if isinstance(exc, ConnectionRefusedError):
        return Failure(
            f"a server refused the connection{where}",
            "check that it is running and the host and port settings",
            1,
        )
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return Failure("a server did not answer in time", "check the host and port settings", 1)
    if isinstance(exc, ssl.SSLError):
        return Failure(
            f"the TLS handshake failed ({exc.reason or _first_line(exc)})",
            "check the *_SECURITY and port settings, or the server's certificate",
            1,
        )
    if isinstance(exc, ConnectionError):
        return Failure(f"the connection failed ({_first_line(exc)})", "try again", 1)
    return None


def _files(exc: Exception) -> Failure | None:
    if isinstance(exc, FileNotFoundError):
        return Failure(
            f"no such file: {exc.filename}", "check the setting or argument that names it"
        )
    if isinstance(exc, PermissionError):
        return Failure(f"not allowed to use {exc.filename}", "check the file's permissions")
    if isinstance(exc, IsADirectoryError):
        return Failure(f"{exc.filename} is a folder", "name a file")
    return None


def explain(exc: BaseException) -> Explained:
    """The one line (without `error: `) and the exit status for an exception a command let
    escape."""
    if isinstance(exc, KeyboardInterrupt):
        return Explained("interrupted", "nothing more was done", 130)
    failure = refusal(exc) if isinstance(exc, Exception) else None
    if failure is None and isinstance(exc, Exception):
        for kind in (_database, _slack, _network, _files):
            failure = kind(exc)
            if failure is not None:
                break
    if failure is None:
        return Explained(
            f"unexpected {type(exc).__name__} ({_first_line(exc)})",
            "run again with --debug for the traceback, and report it",
            1,
        )
    return Explained(failure.cause, failure.fix, failure.code)
