"""Running the Slack app: Socket Mode (no public URL), or HTTP behind a load balancer.

HTTP mode serves bolt's WSGI adapter through gunicorn (threaded workers), never a development
server. Each worker builds its own engine after the fork and runs the background tickers; the
database decides which instance posts the digest or sends a message.
"""

from __future__ import annotations

import gc
import io
import logging
import threading
import uuid
from collections.abc import Iterable
from time import monotonic
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from gunicorn.app.base import BaseApplication
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot import logs
from bot.config import Settings
from bot.entry import ops
from bot.entry.composition import build_runtime
from bot.entry.tickers import start_background
from bot.rendering.staff_text import speaking
from bot.services.common.context import Runtime
from bot.services.operations import metrics
from bot.services.page import page_links
from bot.services.page.customer_page import News
from bot.slack import journal
from bot.slack.app import create_app
from bot.slack.blocks.page_news import news_text
from bot.slack.client import make_client
from bot.slack.deps import Deps
from bot.slack.page_news import news_poster
from bot.slack.request_body import Refused, screen
from bot.slack.request_checks import refuse_shapeless
from bot.slack.touched_shown import show_touched
from bot.web.app import PREFIX as PAGE_PREFIX
from bot.web.app import PageApp
from bot.web.serve import serve_page

log = logging.getLogger(__name__)


def page_app(runtime: Runtime, deps: Deps) -> PageApp | None:
    """The customer's page, posting what customers do with this app's Slack client, and
    showing at once on the cards and worklists what it changed there."""
    if not page_links.enabled(runtime.settings):
        return None

    def show_seen(reminder_id: int) -> None:
        deps.later(lambda: deps.cards.refresh([reminder_id], deps.today()), "showing a page view")

    post = news_poster(deps.client)

    def post_news(news: News) -> None:
        with speaking(runtime.settings.locale):
            show_touched(deps, news.touched, f"the customer's {news.kind} on their page")
            post(news)

    return PageApp(runtime, post_news, on_view=show_seen)


def wsgi_app(runtime: Runtime, *, background: bool = True) -> WSGIApplication:
    """The WSGI callable: Slack's requests on /slack/events, a health check on /healthz, the
    customer's page under /pay/ when it is configured."""
    app, deps = create_app(runtime)
    if background:
        start_background(deps, app)
    slack = SlackRequestHandler(app, path="/slack/events")
    page = page_app(runtime, deps)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in ops.PATHS:
            return ops.answer(runtime, environ, start_response)
        if page is not None and environ.get("PATH_INFO", "").startswith(PAGE_PREFIX):
            metrics.count(
                "page", kind="answer" if environ.get("REQUEST_METHOD") == "POST" else "view"
            )
            with deps.gate.request():
                return page(environ, start_response)
        arrived = monotonic()
        logs.request_id.set(uuid.uuid4().hex[:12])
        screened = screen(environ, runtime.settings.slack_signing_secret)
        if isinstance(screened, Refused):
            start_response(screened.status, [("Content-Type", "text/plain")])
            return [screened.reason.encode() + b"\n"]
        body = screened.body
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        with deps.gate.request():
            if refuse_shapeless(deps, screened.payload):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b""]
            replay, entry = admit(environ, body.decode(), deps)
            if replay:
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b""]
            with (
                journal.dispatching(entry, deps.work.submit),
                speaking(deps.runtime.settings.locale),
            ):
                answered = slack(environ, start_response)
            metrics.count("clicks", via="http")
            metrics.observe("ack", monotonic() - arrived)
            return answered

    return application


def admit(environ: WSGIEnvironment, body: str, deps: Deps) -> tuple[bool, journal.Entry | None]:
    """Whether a signed request is a replay (see services/replays.py), and the journal entry of
    a click or form (bot/slack/journal.py), both from one insert before the acknowledgement.
    `body` has passed `screen` (bounded, signed, well shaped)."""
    settings = deps.runtime.settings
    return journal.admit(
        deps.runtime,
        settings.slack_signing_secret,
        {
            "x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
            "x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE", ""),
            "content-type": environ.get("CONTENT_TYPE", ""),
        },
        body,
        deps.instance,
        settings.recovery_seconds,
    )


def freeze_startup_objects() -> None:
    """Keep the garbage collector away from what start-up built and will never free.

    Imports, the ORM's metadata, templates and locale data leave over 100,000 long-lived
    objects; a full collection walks them all (about 65 ms) while holding the interpreter lock,
    and every request in flight waits. Frozen, they are skipped.
    """
    gc.collect()
    gc.freeze()


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    def __init__(self, settings: Settings, options: dict[str, Any]):
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApplication:
        application = wsgi_app(build_runtime(self.settings))
        freeze_startup_objects()
        return application


def run_http(
    settings: Settings, port: int, workers: int = 2, threads: int = 8, host: str = "127.0.0.1"
) -> None:
    """Serve HTTP mode (`relance run` has checked the settings first: bot/services/operations/settings_check.py);
    the workers' metrics are summed (bot/services/operations/metrics.py)."""
    metrics.prepare_multiprocess()
    _Gunicorn(
        settings,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "timeout": 60,
            "child_exit": lambda _server, worker: metrics.worker_exited(worker.pid),
            **logs.gunicorn_config(),
        },
    ).run()


class GatedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, doing for each envelope what the WSGI app does for a
    request: counted as in flight while it is answered (see `RequestGate`), a redelivery
    acknowledged without acting again, a click or form journaled before its acknowledgement
    (bot/slack/journal.py)."""

    def __init__(self, runtime: Runtime):
        app, self.deps = create_app(runtime, socket_mode=True)
        super().__init__(app, runtime.settings.slack_app_token)

    def handle(  # type: ignore[override]  # Bolt's own handler narrows the client alike
        self, client: SocketModeClient, req: SocketModeRequest
    ) -> None:
        arrived = monotonic()
        logs.request_id.set(req.envelope_id)
        with self.deps.gate.request():
            if isinstance(req.payload, dict) and refuse_shapeless(self.deps, req.payload):
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
            replay, entry = journal.admit_envelope(
                self.deps.runtime,
                req.type,
                req.envelope_id,
                req.payload,
                self.deps.instance,
                self.deps.runtime.settings.recovery_seconds,
            )
            if replay:
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
            with (
                journal.dispatching(entry, self.deps.work.submit),
                speaking(self.deps.runtime.settings.locale),
            ):
                super().handle(client, req)
            metrics.count("clicks", via="socket")
            metrics.observe("ack", monotonic() - arrived)


def run_socket_mode(settings: Settings) -> None:
    """Serve Socket Mode (`relance run` has checked the settings first: bot/services/operations/settings_check.py)."""
    handler = GatedSocketModeHandler(build_runtime(settings))
    start_background(handler.deps, handler.app)
    page = page_app(handler.deps.runtime, handler.deps)
    if page is not None:
        serve_page(
            ops.with_operations(handler.deps.runtime, page), settings.page_host, settings.page_port
        )
        log.info("the customer page listens on %s:%s", settings.page_host, settings.page_port)
    if settings.health_port:
        serve_page(
            ops.with_operations(handler.deps.runtime, None), "127.0.0.1", settings.health_port
        )
        log.info("/healthz, /readyz and /metrics listen on 127.0.0.1:%s", settings.health_port)
    freeze_startup_objects()
    handler.start()  # type: ignore[no-untyped-call]  # Bolt leaves `start` unannotated


def run_page_server(settings: Settings, port: int, host: str = "127.0.0.1") -> None:
    """`relance page`: the customer's page alone (the demo, or a separate front). What
    customers send goes to Slack when a bot token is set, else to the log."""
    if not page_links.enabled(settings):
        raise SystemExit("The page needs RELANCE_PAGE_SECRET and RELANCE_PUBLIC_URL (.env.example)")
    runtime = build_runtime(settings)
    if settings.slack_bot_token:
        post = news_poster(make_client(settings))
    else:

        def post(news: News) -> None:
            log.info("%s (no SLACK_BOT_TOKEN: not posted to Slack)", news_text(news))

    serve_page(PageApp(runtime, post), host, port)
    log.info("the customer page listens on http://%s:%s%s…", host, port, PAGE_PREFIX)
    threading.Event().wait()
