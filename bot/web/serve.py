"""The page's own small server, for Socket Mode (where no HTTP endpoint runs for Slack)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log of its own: the page records its views in the audit trail."""


def serve_page(app: Callable, host: str, port: int) -> _ThreadingServer:
    server = make_server(
        host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="customer-page", daemon=True).start()
    return server
