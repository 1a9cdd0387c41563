"""Work after `ack()` that outlives its worker (the rows: services/journal.py).

Both transports store each click and form with its body before acknowledging it: the WSGI
app (`admit`, keyed by the request's signature) and the Socket Mode handler (`admit_envelope`,
keyed by the payload's trigger id, the payload kept as JSON); both go through `first_seen`,
which also refuses a replay or redelivery. Each dispatches the request inside
`dispatching(entry)`. A context variable carries the entry to the
listener (the listener pool runs each listener in the context of the thread that handed it
over: `ContextPool`) and from there into `Deps.later`. Each holds the entry while it runs;
when the last lets go, the row is marked handled. A request no listener took (refused by the
request checks, say) is handled as soon as it is answered.

Every instance's scheduler runs `recover`: it renews the claims of the entries this process
still works on, and a row left unhandled past its claim (its worker was killed) is claimed by
one instance and dispatched again through the same app, skipping only the replay check (it is
the same request). A request whose work stopped too often, and work that failed for good, are
reported to the person ephemerally, with the cause.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.rendering.staff_text import _
from bot.services.common import journal, replays
from bot.services.common.context import Runtime
from bot.slack.mrkdwn import escape

log = logging.getLogger(__name__)
CAUSE_CHARS = 200


_in_flight: set[str] = set()  # the signatures of the entries this process works on
_in_flight_lock = threading.Lock()


class Entry:
    """One journaled request while this process works on it."""

    def __init__(self, runtime: Runtime, signature: str, payload: dict[str, Any]):
        self.engine = runtime.engine
        self.signature = signature
        self.user = _inner(payload, "user", "id")
        self.channel = _inner(payload, "channel", "id") or _inner(
            payload, "container", "channel_id"
        )
        self._lock = threading.Lock()
        self._holders = 0
        self.taken = False  # whether a listener took it
        self._error: str | None = None
        with _in_flight_lock:
            _in_flight.add(signature)

    def hold(self) -> None:
        with self._lock:
            self._holders += 1
            self.taken = True

    def release(self, error: str | None = None) -> None:
        """One holder is done; the last marks the row handled (failed, if any holder failed)."""
        with self._lock:
            self._holders -= 1
            self._error = self._error or error
            if self._holders:
                return
        self.close()

    def close(self) -> None:
        with _in_flight_lock:
            _in_flight.discard(self.signature)
        try:
            journal.finish(self.engine, self.signature, datetime.now(UTC), self._error)
        except Exception:  # the row stays unhandled: a recovery dispatches it again
            log.exception("could not mark request %s… handled", self.signature[:12])

    def tell(self, client: WebClient, text: str) -> bool:
        """Tell the person ephemerally where they clicked; False when there is no channel
        (a form, a Home button): the caller finds another way."""
        if not (self.user and self.channel):
            return False
        client.chat_postEphemeral(channel=self.channel, user=self.user, text=text)
        return True


def _inner(payload: dict[str, Any], key: str, field: str) -> str:
    """`payload[key][field]` as text, "" when either is missing or not what Slack sends (the
    request checks refuse such a payload; the journal must not fail on it first)."""
    outer = payload.get(key)
    value = outer.get(field) if isinstance(outer, dict) else None
    return value if isinstance(value, str) else ""


current: contextvars.ContextVar[Entry | None] = contextvars.ContextVar(
    "relance_journal_entry", default=None
)


class ContextPool(ThreadPoolExecutor):
    """A thread pool whose jobs run in the context of the thread that submitted them, holding
    that context's journal entry while they run (bolt's listener pool is one)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        entry = current.get()
        if entry is not None:
            entry.hold()
        context = contextvars.copy_context()

        def run() -> Any:
            try:
                return context.run(fn, *args, **kwargs)
            finally:
                if entry is not None:
                    entry.release()

        return super().submit(run)


@contextmanager
def dispatching(
    entry: Entry | None, after: Callable[[Callable[[], None]], object]
) -> Iterator[None]:
    """Run a dispatch with `entry` as the current request; if no listener took it, close it
    with `after` (off the request's thread)."""
    token = current.set(entry)
    try:
        yield
    finally:
        current.reset(token)
        if entry is not None and not entry.taken:
            after(entry.close)


FORM = "application/x-www-form-urlencoded"  # HTTP mode's bodies
JSON = "application/json"  # Socket Mode's payloads, kept as JSON


def payload_of(body: str, content_type: str = FORM) -> tuple[str, dict[str, Any]]:
    """What kind of request a kept body is, and its payload (no fields for a command): a form
    as HTTP mode receives it, or a Socket Mode payload kept as JSON."""
    if content_type.startswith(JSON):
        return kind_of("interactive", _json_object(body))
    fields = parse_qs(body)
    if "command" in fields:
        return "command", {}
    return kind_of("interactive", _json_object((fields.get("payload") or [""])[0]))


def kind_of(envelope: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A Socket Mode envelope's kind of request, and its payload ({} for a command)."""
    if envelope == "slash_commands":
        return "command", {}
    return (str(payload.get("type", "")), payload) if envelope == "interactive" else ("", {})


def _json_object(text: str) -> dict[str, Any]:
    try:
        payload = json.loads(text)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


JOURNALED = frozenset({"block_actions", "view_submission"})  # decisions: clicks and forms
KEY_CHARS = 100  # slack_request.signature


def admit(
    runtime: Runtime, secret: str, headers: dict[str, str], body: str, instance: str, grace: float
) -> tuple[bool, Entry | None]:
    """(replay, entry) for a request arrived over HTTP: `first_seen` keyed by its signature,
    once it is checked (bolt refuses it otherwise)."""
    kind, payload = payload_of(body)
    if kind != "command" and kind not in JOURNALED:
        return False, None
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not SignatureVerifier(secret).is_valid(body, timestamp, signature):
        return False, None  # bolt refuses it
    content_type = headers.get("content-type") or FORM
    return first_seen(runtime, signature, kind, payload, body, content_type, instance, grace)


def admit_envelope(
    runtime: Runtime,
    envelope: str,
    envelope_id: str,
    payload: dict[str, Any],
    instance: str,
    grace: float,
) -> tuple[bool, Entry | None]:
    """(replay, entry) for a Socket Mode envelope: `first_seen` keyed by the payload's trigger
    id (one per action of the person's, whichever envelope redelivers it), else the envelope's
    id. The socket is authenticated; what this refuses is a redelivery. The payload is kept as
    JSON, which recovery dispatches as the Socket Mode adapter does."""
    kind, journaled = kind_of(envelope, payload)
    if kind != "command" and kind not in JOURNALED:
        return False, None
    key = f"socket:{payload.get('trigger_id') or envelope_id}"[:KEY_CHARS]
    return first_seen(runtime, key, kind, journaled, json.dumps(payload), JSON, instance, grace)


def first_seen(
    runtime: Runtime,
    key: str,
    kind: str,
    payload: dict[str, Any],
    body: str,
    content_type: str,
    instance: str,
    grace: float,
) -> tuple[bool, Entry | None]:
    """(replay, entry): whether this request was seen before, and the journal entry of a click
    or form seen now (stored with its body in the same insert, before it is acknowledged).
    Slash commands are only remembered (a replay repeats them); they are not dispatched
    again."""
    now = datetime.now(UTC)
    kept = None
    if kind in JOURNALED:
        kept = replays.Kept(body, content_type, instance, now + timedelta(seconds=grace))
    if not replays.first_arrival(runtime.engine, key, now, kept):
        log.warning("refused a replayed request (%s…)", key[:12])
        return True, None
    return False, Entry(runtime, key, payload) if kept else None


def recover(app: App, runtime: Runtime, client: WebClient, instance: str, grace: float) -> int:
    """Renew this process's claims on the work it still does (slow work is not taken for
    dead), then dispatch again the requests acknowledged by a worker that died before their
    work was done; returns how many."""
    now, lease = datetime.now(UTC), timedelta(seconds=grace)
    with _in_flight_lock:
        working = sorted(_in_flight)
    engine = runtime.engine
    journal.renew(engine, working, instance, now + lease)
    claimed = journal.claim_unhandled(engine, instance, now, lease)
    for unhandled in claimed:
        payload = payload_of(unhandled.body, unhandled.content_type)[1]
        entry = Entry(runtime, unhandled.signature, payload)
        if unhandled.exhausted:
            _give_up(entry, client, unhandled.recoveries - 1)
            continue
        log.warning(
            "dispatching again request %s… (acknowledged, its work never finished)",
            unhandled.signature[:12],
        )
        request = BoltRequest(
            body=unhandled.body,
            headers={"content-type": unhandled.content_type},
            mode="socket_mode",  # checked when it arrived (signature or socket); expired since
        )
        with dispatching(entry, lambda close: close()):
            app.dispatch(request)
    return len(claimed)


def _give_up(entry: Entry, client: WebClient, tries: int) -> None:
    cause = f"its work stopped {tries} times before it was done (the server was restarting)"
    log.error("gave up on request %s…: %s", entry.signature[:12], cause)
    entry.hold()
    entry.release(cause)
    text = failure_text("your request", cause)
    try:
        if not entry.tell(client, text) and entry.user:
            client.chat_postMessage(channel=entry.user, text=text)
    except Exception:
        log.exception("could not tell %s that a request failed", entry.user)


def cause_of(exc: BaseException) -> str:
    """An error as the person reads it: its kind and first line, bounded."""
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:CAUSE_CHARS] if first else type(exc).__name__


def failure_text(what: str, cause: str) -> str:
    """What the person reads when work acknowledged for them failed for good."""
    return _(
        "Sorry: {what} failed after your click was received, and may not have been recorded "
        "({cause}). Check the card and try again.",
        what=escape(what),
        cause=escape(cause),
    )
