"""The page's own server in Socket Mode (issue 25, finding 7): on loopback unless told
otherwise, and a fixed number of threads however many connections strangers leave half-open
(the standard library's server held one thread each: 800 connections, 802 threads)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.web.serve import CONNECTIONS, THREADS, serve_page
from tests.support.app_process import free_port, socket_app, until
from tests.support.fake_slack import FakeSlack
from tests.support.slack_socket import SlackSocket

HALF_OPEN = 800


def hello(environ: dict, start_response: Callable) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_half_open_connections_do_not_grow_threads() -> None:
    port = free_port()
    server = serve_page(hello, "127.0.0.1", port)
    try:
        url = f"http://127.0.0.1:{port}/pay/x"
        assert urllib.request.urlopen(url, timeout=10).read() == b"ok"
        before = threading.active_count()
        stalled = []
        for _ in range(HALF_OPEN):  # a request line, never the end of its headers
            conn = socket.socket()
            conn.setblocking(False)
            conn.connect_ex(("127.0.0.1", port))
            stalled.append(conn)
        for conn in stalled:
            with contextlib.suppress(OSError):  # not connected yet: it stays silent
                conn.send(b"GET /pay/x HTTP/1.1\r\nHost: a\r\n")
        until(lambda: settled(port))
        assert threading.active_count() <= before + THREADS
        for conn in stalled:
            conn.close()
        until(lambda: _answers(url))  # and it serves a person again
        assert threading.active_count() <= before + THREADS
    finally:
        server.close()


def _answers(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=2).read() == b"ok"
    except OSError:
        return False


def _sockets(port: int) -> list[tuple[str, str, int, bool]]:
    """(local address, state, receive queue, whether the local end is `port`) of the TCP
    sockets at either end of `port` (/proc/net/tcp and tcp6)."""
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            (address, local), remote = fields[1].split(":"), fields[2].split(":")[1]
            queue = int(fields[4].split(":")[1], 16)
            if port in (int(local, 16), int(remote, 16)):
                found.append((address, fields[3], queue, int(local, 16) == port))
    return found


def settled(port: int) -> bool:
    """Every stalled connection is established, and the server has taken (accepted) at least
    half its `CONNECTIONS` of them (it keeps one or two for itself): what a listening socket's
    receive queue counts is its backlog."""
    sockets = _sockets(port)
    clients = sum(1 for _a, state, _q, ours in sockets if state == "01" and not ours)
    backlog = sum(q for _a, state, q, ours in sockets if state == "0A" and ours)
    return clients >= HALF_OPEN and backlog <= HALF_OPEN - CONNECTIONS // 2


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (state 0A)."""
    return {address for address, state, _q, ours in _sockets(port) if state == "0A" and ours}


def test_in_socket_mode_the_page_listens_on_loopback_only(engine: Engine, tmp_path: Path) -> None:
    fake, slack = FakeSlack(), SlackSocket()
    fake.socket_mode_url = slack.url
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-socket",
        "SLACK_APP_TOKEN": "xapp-socket",
        "SLACK_API_URL": fake.api_url,
        "RELANCE_DIGEST_CHANNEL": "",
        "RELANCE_PAGE_SECRET": "page-secret",
        "RELANCE_PUBLIC_URL": "https://pay.example",
        "RELANCE_PAGE_PORT": str(port),
    }
    env.pop("RELANCE_PAGE_HOST", None)
    try:
        with socket_app(env, tmp_path / "app.log"):
            until(lambda: listening_addresses(port))
            assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
    finally:
        slack.close()
        fake.close()
