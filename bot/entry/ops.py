"""The operator's endpoints, in HTTP mode beside `/slack/events` and in Socket Mode on the page's
own server: `/healthz` (the process answers), `/readyz` (it can work: bot/services/operations/health.py),
`/metrics` (Prometheus text: bot/services/operations/metrics.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from bot.services.common.context import Runtime
from bot.services.operations import metrics
from bot.services.operations.health import readiness
from bot.slack import client

PATHS = ("/healthz", "/readyz", "/metrics")


def answer(
    runtime: Runtime, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    """One of `PATHS` answered (the caller routes only those here)."""
    path = environ.get("PATH_INFO")
    if path == "/metrics":
        body = metrics.exposition(runtime.engine)
        start_response("200 OK", [("Content-Type", metrics.CONTENT_TYPE)])
        return [body]
    if path == "/readyz":
        ready = readiness(runtime.engine, datetime.now(UTC), client.token_accepted_at_start)
        status = "200 OK" if ready.ready else "503 Service Unavailable"
        start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
        return ["".join(f"{r}\n" for r in ready.reasons or ("ready",)).encode()]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\n"]


def with_operations(runtime: Runtime, app: WSGIApplication | None) -> WSGIApplication:
    """`app` (the customer's page, or nothing) with the operator's endpoints beside it."""

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in PATHS:
            return answer(runtime, environ, start_response)
        if app is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        return app(environ, start_response)

    return application
