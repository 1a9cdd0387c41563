"""A local stand-in for Slack's Web API on loopback: answers like Slack, records every call.

It also serves response URLs (`/response/...`), so ephemeral replies sent with `respond()` are
recorded too, and can answer 429 with `Retry-After` or an error on demand.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    response: dict[str, Any]


@dataclass
class Hold:
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.groups: dict[str, list[str]] = {}
        self.uploads: dict[str, bytes] = {}
        self.socket_mode_url = ""  # what apps.connections.open hands out
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._faults: dict[str, list[tuple[int, dict, dict]]] = {}
        self._holds: dict[str, Hold] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                raw_bytes = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.startswith("/upload/"):  # a file's bytes (files_upload_v2)
                    fake.uploads[self.path] = raw_bytes
                    fake._record("file_upload", {"path": self.path, "size": len(raw_bytes)}, {})
                    self._send(200, "OK - 1", {})
                    return
                raw = raw_bytes.decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = dict(parse_qsl(raw))
                    for key in ("blocks", "view", "attachments"):
                        if isinstance(args.get(key), str):
                            args[key] = json.loads(args[key])
                if self.path.startswith("/response/"):
                    fake._record("response_url", {**args, "path": self.path}, {})
                    self._send(200, "ok", {})
                    return
                method = self.path.removeprefix("/api/")
                status, body, headers = fake._answer(method, args)
                self._send(status, json.dumps(body), headers)

            def _send(self, status: int, body: str, headers: dict) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/api/"

    def response_url(self, name: str = "r") -> str:
        return f"http://127.0.0.1:{self.server.server_port}/response/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _record(self, method: str, args: dict, response: dict) -> None:
        with self._lock:
            self.calls.append(Call(method, args, response))

    def fail_next(
        self, method: str, status: int = 429, body: dict | None = None, headers: dict | None = None
    ) -> None:
        """The next call to `method` gets this answer instead of success."""
        body = body or {"ok": False, "error": "ratelimited"}
        headers = headers if headers is not None else {"Retry-After": "1"}
        self._faults.setdefault(method, []).append((status, body, headers))

    def hold(self, method: str) -> Hold:
        """Calls to `method` wait unanswered (the caller parked in it) until released."""
        self._holds[method] = hold = Hold()
        return hold

    def _answer(self, method: str, args: dict) -> tuple[int, dict, dict]:
        hold = self._holds.get(method)
        if hold is not None:
            hold.arrived.set()
            hold.released.wait(60)
        status, body, headers = self._reply(method, args)
        self._record(method, args, body)
        return status, body, headers

    def _reply(self, method: str, args: dict) -> tuple[int, dict, dict]:
        with self._lock:
            faults = self._faults.get(method)
            if faults:
                return faults.pop(0)
            n = next(self._ts)
        ts = f"1700000000.{n:06d}"
        answers: dict[str, dict] = {
            "auth.test": {"user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"},
            "bots.info": {"bot": {"id": args.get("bot"), "app_id": "A1"}},
            "apps.connections.open": {"url": self.socket_mode_url},
            "chat.postMessage": {"channel": args.get("channel"), "ts": ts, "message": {"ts": ts}},
            "chat.update": {"channel": args.get("channel"), "ts": args.get("ts")},
            "chat.postEphemeral": {"message_ts": ts},
            "views.open": {"view": {"id": f"V{n}", "hash": f"h{n}"}},
            "views.update": {"view": {"id": args.get("view_id"), "hash": f"h{n}"}},
            "views.publish": {"view": {"id": f"V{n}", "hash": f"h{n}"}},
            "chat.getPermalink": {
                "permalink": f"https://example.slack.com/archives/"
                f"{args.get('channel')}/p{args.get('message_ts')}"
            },
            "files.getUploadURLExternal": {
                "upload_url": f"http://127.0.0.1:{self.server.server_port}/upload/F{n}",
                "file_id": f"F{n}",
            },
            "files.completeUploadExternal": {"files": [{"id": "F1", "title": "letter"}]},
            "usergroups.users.list": {"users": self.groups.get(args.get("usergroup", ""), [])},
        }
        if method not in answers:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        return 200, {"ok": True, **answers[method]}, {}

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate: Callable[[], object], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting; calls so far: {[c.method for c in self.calls]}")


def main() -> None:
    """Serve a fake Slack in a process of its own (benchmarks): prints its API URL, then
    serves until its standard input closes."""
    import sys

    fake = FakeSlack()
    print(fake.api_url, flush=True)
    sys.stdin.read()
    fake.close()


if __name__ == "__main__":
    main()
