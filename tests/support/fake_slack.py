"""A local stand-in for Slack's Web API on loopback, as strict as Slack: answers like Slack,
records every call.

What real Slack refuses, it refuses, the way Slack answers:
- blocks and views that break Block Kit's rules (`tests/support/blockkit.py`): a message gets
  `invalid_blocks` with the reasons in `errors` and `response_metadata.messages`, a view
  `invalid_arguments` with them in `response_metadata.messages` (as views.* answer), a
  response URL HTTP 400 `invalid_blocks`;
- a method whose scope the token was not granted: `missing_scope` with `needed` and
  `provided`; every answer carries the granted scopes in `X-OAuth-Scopes`, as Slack's do. The
  scopes are `manifest.yml`'s unless a test gives others; what each method needs is
  `bot/slack/scopes.py`'s table, the one the app's own check reads;
- a post to a channel that does not exist (`missing_channels`) or the bot is not in
  (`outside_channels`): `channel_not_found` / `not_in_channel`;
- calls faster than the method's rate-limit tier allows, and more than one `chat.postMessage`
  per second per channel beyond a short burst: HTTP 429 with `Retry-After` (see `Pace`).

A refusal the test did not arrange (the blocks, and scopes when they are the manifest's) is
also a *violation*: recorded here, and `tests/support/strict_slack.py` fails the test that
caused it, whatever else that test asserted. Answers arranged with `fail_next` are not.

It also serves response URLs (`/response/...`), so ephemeral replies sent with `respond()` are
recorded (and checked) too.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import yaml

from bot.slack.scopes import METHODS, PER_CHANNEL
from tests.support.blockkit import message_refusals, view_refusals

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral"})
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})
PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}  # https://docs.slack.dev/apis/web-api/rate-limits


def manifest_scopes() -> frozenset[str]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return frozenset(data["oauth_config"]["scopes"]["bot"])


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    response: dict[str, Any]


@dataclass(frozen=True)
class Violation:
    """A call real Slack would have refused, and that no test arranged."""

    method: str
    errors: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method}: " + "; ".join(self.errors)


_violations: list[Violation] = []
_violations_lock = threading.Lock()


def record_violation(violation: Violation) -> None:
    with _violations_lock:
        _violations.append(violation)


def violations_mark() -> int:
    with _violations_lock:
        return len(_violations)


def violations_since(mark: int) -> list[Violation]:
    with _violations_lock:
        return _violations[mark:]


def expected_violations(mark: int) -> list[Violation]:
    """For the tests of the fake itself, which break the rules on purpose: the violations
    since `mark`, taken back so that they fail nothing."""
    with _violations_lock:
        taken = _violations[mark:]
        del _violations[mark:]
    return taken


@dataclass(frozen=True)
class Pace:
    """How fast the fake lets calls through: Slack's published rates times `speed`; at once,
    `burst` posts per channel, and a minute's worth (or `burst`, if more) of a tiered method.

    The tests' default keeps the per-second refill and a 1 s Retry-After but a generous burst,
    so a test that posts a page of cards is not slowed; `strict()` is Slack's published pace
    (used by the test of 200 suggestions, sped up there to keep it short)."""

    speed: float = 1.0
    burst: int = 200

    @staticmethod
    def strict(speed: float = 1.0) -> Pace:
        return Pace(speed=speed, burst=3)


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    at: float

    def take(self, now: float) -> float:
        """0 if a call may go now (taking its token), else the seconds until one may."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


@dataclass
class Hold:
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)


class FakeSlack:
    def __init__(self, scopes: frozenset[str] | None = None, pace: Pace | None = None) -> None:
        self.calls: list[Call] = []
        self.groups: dict[str, list[str]] = {}
        self.uploads: dict[str, bytes] = {}
        self.socket_mode_url = ""  # what apps.connections.open hands out
        self.scopes = manifest_scopes() if scopes is None else scopes
        self._scopes_arranged = scopes is not None
        self.pace = pace or Pace()
        self.missing_channels: set[str] = set()
        self.outside_channels: set[str] = set()
        self.violations: list[Violation] = []
        self.limited = 0  # 429s answered for pace
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._faults: dict[str, list[list]] = {}  # [calls to let through first, answer]
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
                    status, text = fake._response_url(args)
                    fake._record("response_url", {**args, "path": self.path}, {})
                    self._send(status, text, {})
                    return
                method = self.path.removeprefix("/api/")
                status, body, headers = fake._answer(method, args)
                headers = {"X-OAuth-Scopes": ",".join(sorted(fake.scopes)), **headers}
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

    def _violate(self, method: str, errors: list[str]) -> None:
        violation = Violation(method, tuple(errors))
        with self._lock:
            self.violations.append(violation)
        record_violation(violation)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        body: dict | None = None,
        headers: dict | None = None,
        after: int = 0,
    ) -> None:
        """The next call to `method` (after `after` more answered as usual) gets this answer
        instead of success."""
        body = body or {"ok": False, "error": "ratelimited"}
        headers = headers if headers is not None else {"Retry-After": "1"}
        self._faults.setdefault(method, []).append([after, (status, body, headers)])

    def hold(self, method: str) -> Hold:
        """Calls to `method` wait unanswered (the caller parked in it) until released."""
        self._holds[method] = hold = Hold()
        return hold

    def _response_url(self, args: dict) -> tuple[int, str]:
        if "blocks" in args:
            errors = message_refusals(args["blocks"])
            if errors:
                self._violate("response_url", errors)
                return 400, "invalid_blocks"
        return 200, "ok"

    def _answer(self, method: str, args: dict) -> tuple[int, dict, dict]:
        hold = self._holds.get(method)
        if hold is not None:
            hold.arrived.set()
            hold.released.wait(60)
        status, body, headers = self._reply(method, args)
        self._record(method, args, body)
        return status, body, headers

    def _paced(self, method: str, args: dict) -> float:
        """0 if the call may go now, else the seconds until it may."""
        tier = METHODS[method].tier
        if tier == PER_CHANNEL:
            key = (method, str(args.get("channel")))
            capacity, per_second = self.pace.burst, 1.0 * self.pace.speed
        else:
            key = (method, "")
            per_minute = PER_MINUTE[tier] * self.pace.speed
            capacity, per_second = max(per_minute, self.pace.burst, 1.0), per_minute / 60
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(capacity, per_second, capacity, now)
            return bucket.take(now)

    def _refusal(self, method: str, args: dict) -> tuple[int, dict, dict] | None:
        """What Slack answers instead of success, checked in Slack's order: the method, the
        token's scopes, the pace, the channel, the payload."""
        if method not in METHODS:
            self._violate(method, ["not in bot/slack/scopes.py's table of methods"])
            return 200, {"ok": False, "error": "unknown_method"}, {}
        lacking = next((s for s in METHODS[method].scopes if s not in self.scopes), None)
        if lacking and not METHODS[method].app_token:
            if not self._scopes_arranged:
                self._violate(method, [f"missing_scope: {lacking} (not in manifest.yml)"])
            provided = ",".join(sorted(self.scopes))
            body = {"ok": False, "error": "missing_scope", "needed": lacking, "provided": provided}
            return 200, body, {}
        wait = self._paced(method, args)
        if wait:
            with self._lock:
                self.limited += 1
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(math.ceil(wait))}
        channel = args.get("channel")
        if method in MESSAGE_METHODS | {"conversations.info"} and channel in self.missing_channels:
            return 200, {"ok": False, "error": "channel_not_found"}, {}
        if method in MESSAGE_METHODS and channel in self.outside_channels:
            return 200, {"ok": False, "error": "not_in_channel"}, {}
        if method in MESSAGE_METHODS and "blocks" in args:
            errors = message_refusals(args["blocks"])
            if errors:
                self._violate(method, errors)
                body = {
                    "ok": False,
                    "error": "invalid_blocks",
                    "errors": errors,
                    "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
                }
                return 200, body, {}
        if method == "chat.postMessage" and not args.get("text") and not args.get("blocks"):
            return 200, {"ok": False, "error": "no_text"}, {}
        if method in VIEW_METHODS:
            errors = view_refusals(args.get("view"))
            if errors:
                self._violate(method, errors)
                body = {
                    "ok": False,
                    "error": "invalid_arguments",
                    "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
                }
                return 200, body, {}
        return None

    def _reply(self, method: str, args: dict) -> tuple[int, dict, dict]:
        with self._lock:
            faults = self._faults.get(method)
            if faults and faults[0][0] == 0:
                return faults.pop(0)[1]
            if faults:
                faults[0][0] -= 1
        refused = self._refusal(method, args)
        if refused is not None:
            return refused
        with self._lock:
            n = next(self._ts)
        ts = f"1700000000.{n:06d}"
        channel = args.get("channel")
        answers: dict[str, dict] = {
            "auth.test": {"user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"},
            "bots.info": {"bot": {"id": args.get("bot"), "app_id": "A1"}},
            "apps.connections.open": {"url": self.socket_mode_url},
            "chat.postMessage": {"channel": channel, "ts": ts, "message": {"ts": ts}},
            "chat.update": {"channel": channel, "ts": args.get("ts")},
            "chat.postEphemeral": {"message_ts": ts},
            "conversations.info": {
                "channel": {
                    "id": channel,
                    "name": "collections",
                    "is_channel": True,
                    "is_member": channel not in self.outside_channels,
                }
            },
            "views.open": {"view": {"id": f"V{n}", "hash": f"h{n}"}},
            "views.update": {"view": {"id": args.get("view_id"), "hash": f"h{n}"}},
            "views.publish": {"view": {"id": f"V{n}", "hash": f"h{n}"}},
            "chat.getPermalink": {
                "permalink": f"https://example.slack.com/archives/"
                f"{channel}/p{args.get('message_ts')}"
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
    serves until its standard input closes. Pacing is scaled out (a benchmark measures the
    app, not Slack's limits); the rules are not: every violation is printed to standard error
    at the end and the exit status is 1."""
    import sys

    fake = FakeSlack(pace=Pace(speed=1e6, burst=10**9))
    print(fake.api_url, flush=True)
    sys.stdin.read()
    fake.close()
    for violation in fake.violations:
        print(f"Slack would refuse: {violation}", file=sys.stderr)
    sys.exit(1 if fake.violations else 0)


if __name__ == "__main__":
    main()
