"""The page's own server, for Socket Mode (where no HTTP endpoint runs for Slack).

Anyone can connect to it, so nothing a client does may cost unbounded threads or time:
waitress reads requests on one thread (asynchronous I/O) and hands whole requests to a fixed
pool of `THREADS`; at most `CONNECTIONS` are open at once (the rest wait in the listen
backlog), an idle or half-open connection is closed after `IDLE_SECONDS`, and a body far larger
than the page's forms (a dispute's file included) is refused before it is read; one a little
larger is read up to the page's bound and refused there, in the customer's words. (The standard library's threading server
ran one thread per connection with no timeout: 800 half-open connections held 802 threads.)
"""

from __future__ import annotations

import threading
from wsgiref.types import WSGIApplication

from waitress.server import BaseWSGIServer, create_server

from bot.web.forms import MAX_DRAINED_BYTES

THREADS = 4
CONNECTIONS = 100
IDLE_SECONDS = 30


def serve_page(app: WSGIApplication, host: str, port: int) -> BaseWSGIServer:
    """Serve `app` on `host:port` from a daemon thread; `close()` on the result stops it."""
    server = create_server(
        app,
        host=host,
        port=port,
        threads=THREADS,
        connection_limit=CONNECTIONS,
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=max(1, IDLE_SECONDS // 3),
        max_request_body_size=MAX_DRAINED_BYTES,
        max_request_header_size=65_536,
        asyncore_use_poll=True,  # select() stops at 1024 descriptors
        ident="",  # no Server header naming the software
        expose_tracebacks=False,
    )
    threading.Thread(target=server.run, name="customer-page", daemon=True).start()
    return server
