"""Real, signed HTTP requests into the app, as Slack sends them, and the app served on loopback
by a threaded WSGI server."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_sdk.signature import SignatureVerifier

from tests.support.blockkit import message_refusals, view_refusals
from tests.support.fake_slack import Violation, record_violation


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of simultaneous clicks must queue, not be reset


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *_args: object) -> None:
        pass


def serve(wsgi_app: Callable) -> tuple[str, Callable[[], None]]:
    server = make_server(
        "127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_port}/slack/events", stop


@dataclass
class Reply:
    status: int
    body: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SignedSlack:
    def __init__(self, url: str, secret: str):
        self.url = url
        self.secret = secret

    def post(
        self,
        body: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        timestamp = int(time.time()) if timestamp is None else timestamp
        if signature is None:
            signature = SignatureVerifier(self.secret).generate_signature(
                timestamp=str(timestamp), body=body
            )
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(timestamp),
                "X-Slack-Signature": signature,
                **(headers or {}),
            },
        )
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                reply = Reply(
                    response.status, response.read().decode(), time.perf_counter() - start
                )
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(), time.perf_counter() - start)
        judge_ack(reply.body)
        return reply

    def command(self, text: str, *, user: str, channel: str = "CWORK", response_url: str) -> Reply:
        return self.post(
            urlencode(command_fields(text, user=user, channel=channel, response_url=response_url))
        )

    def _payload(self, payload: dict, headers: dict[str, str] | None = None) -> Reply:
        return self.post(urlencode({"payload": json.dumps(payload)}), headers=headers)

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        response_url: str,
        channel: str = "CDIGEST",
        message_ts: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        return self._payload(
            click_payload(
                action_id,
                value,
                user=user,
                response_url=response_url,
                channel=channel,
                message_ts=message_ts,
            ),
            headers,
        )

    def submit(self, callback_id: str, private_metadata: str, values: dict, *, user: str) -> Reply:
        return self._payload(
            {
                "type": "view_submission",
                "team": {"id": "T1"},
                "api_app_id": "A1",
                "user": {"id": user, "team_id": "T1"},
                "trigger_id": next_trigger_id(),
                "view": {
                    "id": "V1",
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": private_metadata,
                    "state": {"values": values},
                    "hash": "h1",
                },
            }
        )


def judge_ack(body: str) -> None:
    """An acknowledgement carrying a view (`response_action`) or blocks (a command's answer)
    is judged as Slack judges the same payload sent to its Web API."""
    try:
        answer = json.loads(body) if body else None
    except ValueError:
        return
    if not isinstance(answer, dict):
        return
    errors = []
    if answer.get("response_action") in ("update", "push"):
        errors += view_refusals(answer.get("view"))
    if "blocks" in answer:
        errors += message_refusals(answer["blocks"])
    if errors:
        record_violation(Violation("acknowledgement", tuple(errors)))


_TRIGGERS = itertools.count(1)


def next_trigger_id() -> str:
    """Slack gives every interaction a trigger id of its own, so no two requests it sends have
    the same body (and signature) — unlike a replay."""
    return f"trigger-{next(_TRIGGERS)}"


def home_opened_event(user: str) -> str:
    """The `app_home_opened` event Slack posts when `user` opens the app's Home tab."""
    return json.dumps(
        {
            "token": "t",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"},
        }
    )


def command_fields(text: str, *, user: str, channel: str, response_url: str) -> dict[str, str]:
    """`/relance <text>` as Slack sends it (form fields over HTTP, the payload in Socket Mode)."""
    return {
        "command": "/relance",
        "text": text,
        "user_id": user,
        "user_name": user.lower(),
        "channel_id": channel,
        "team_id": "T1",
        "response_url": response_url,
        "trigger_id": next_trigger_id(),
        "api_app_id": "A1",
    }


def click_payload(
    action_id: str,
    value: str,
    *,
    user: str,
    response_url: str,
    channel: str = "CDIGEST",
    message_ts: str | None = None,
) -> dict:
    """A button click (`block_actions`) as Slack sends it: on the message `message_ts`, or
    without one on a view (the App Home)."""
    container = (
        {"type": "message", "message_ts": message_ts, "channel_id": channel}
        if message_ts
        else {"type": "view", "view_id": "VHOME"}
    )
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "user": {"id": user, "team_id": "T1"},
        "trigger_id": next_trigger_id(),
        "channel": {"id": channel},
        "container": container,
        **({"message": {"ts": message_ts}} if message_ts else {}),
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }


def oversized_status(url: str, declared: int, *, chunked: bool = False, whole: bool = False) -> int:
    """The status a server answers to a body of `declared` bytes, sent as a stranger would
    (unsigned): with Content-Length, only the headers and a first kilobyte are sent before the
    answer is awaited, so an answer proves the server did not wait to read the rest (`whole`:
    the rest goes on being sent meanwhile, as an attacker would); chunked (no length to refuse
    from), it is streamed until the server answers or `declared` bytes went out."""
    parts = urllib.parse.urlsplit(url)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {declared}"
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Slack-Request-Timestamp: {int(time.time())}\r\nX-Slack-Signature: v0=00\r\n"
        f"{length}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(head)
        chunk = b"payload=" + b"x" * 65_528
        if not chunked:
            sock.sendall(chunk[:1024])
            if whole:
                threading.Thread(
                    target=_send_rest, args=(sock, declared - 1024), daemon=True
                ).start()
        else:
            sock.settimeout(0.5)
            sent = 0
            while sent < declared:
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                except (TimeoutError, OSError):
                    break  # the server stopped reading: its answer is waiting
                sent += len(chunk)
            sock.settimeout(60)
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1])


def _send_rest(sock: socket.socket, count: int) -> None:
    block = b"x" * 1_048_576
    try:
        while count > 0:
            sock.sendall(block[: min(count, len(block))])
            count -= len(block)
    except OSError:
        pass  # the server closed the connection: what it refused is not read
