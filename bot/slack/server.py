"""Running the Slack app: Socket Mode (no public URL), or HTTP behind a load balancer.

HTTP mode serves bolt's WSGI adapter through gunicorn (threaded workers), never a development
server. Each worker builds its own engine after the fork and runs the background tickers; the
database decides which instance posts the digest or sends a message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from gunicorn.app.base import BaseApplication
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.services.outbox import deliver_due
from bot.slack.app import create_app
from bot.slack.deps import Deps
from bot.slack.digest_poster import post_daily_digest
from bot.slack.scheduler import Ticker

log = logging.getLogger(__name__)
DIGEST_CHECK_SECONDS = 30
OUTBOX_CHECK_SECONDS = 10


def _send_and_show(deps: Deps) -> None:
    report = deliver_due(deps.runtime.engine, deps.runtime.settings, deps.instance,
                         now=deps.runtime.now())
    deps.cards.refresh(report.touched, deps.today())


SETTINGS_REFRESH_SECONDS = 60


def start_background(deps: Deps) -> list[Ticker]:
    tickers = [
        Ticker("settings", SETTINGS_REFRESH_SECONDS, lambda _now: deps.runtime.refresh()),
        Ticker("digest-clock", DIGEST_CHECK_SECONDS,
               lambda _now: post_daily_digest(deps.runtime, deps.client, deps.runtime.now(),
                                              deps.instance)),
        Ticker("outbox", OUTBOX_CHECK_SECONDS, lambda _now: _send_and_show(deps)),
    ]
    for ticker in tickers:
        ticker.start()
    return tickers


def wsgi_app(runtime: Runtime, *, background: bool = True) -> Callable:
    """The WSGI callable: Slack's requests on /slack/events, a health check on /healthz."""
    app, deps = create_app(runtime)
    if background:
        start_background(deps)
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict):
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable:
        return wsgi_app(build_runtime(self.settings))


def run_http(settings: Settings, port: int, workers: int = 2, threads: int = 8,
             host: str = "0.0.0.0") -> None:
    _Gunicorn(settings, {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                         "worker_class": "gthread", "accesslog": "-", "timeout": 60}).run()


def run_socket_mode(settings: Settings) -> None:
    if not (settings.slack_bot_token and settings.slack_app_token):
        raise SystemExit("Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (see .env.example)")
    runtime = build_runtime(settings)
    app, deps = create_app(runtime, socket_mode=True)
    start_background(deps)
    SocketModeHandler(app, settings.slack_app_token).start()
