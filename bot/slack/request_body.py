"""Check before you parse, bound before you read: what arrives on `/slack/events` over HTTP.

A stranger can post anything. Before bolt or the journal parse a byte, the body is bounded
(`MAX_BODY_BYTES`: refused with 413 from its Content-Length before it is read, and a chunked
body is read no further than the bound), its signature is checked on the raw bytes, and only
then is it decoded and its shape checked (a form with a JSON `payload` object, or a JSON
object). A refused body is never logged: its size and a hash are, enough to match reports.

Slack's requests are small: a message carries at most 50 blocks and a modal or Home tab 100,
a section's text at most 3,000 characters (Slack's Block Kit reference, "Blocks" and "Section
block"), so the largest payload Slack sends (a modal submitted with its blocks, or a click on
a full message) is a few hundred kilobytes even URL-encoded. One MiB leaves room and refuses
the 20 MB bodies that once took a worker to 1.77 GB.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import parse_qs

from bot.slack.request_checks import well_formed_timestamp

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_048_576
SIGNATURE_AGE_SECONDS = 300  # Slack's own rule: older requests may be replays
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Refused:
    """An answer given without parsing the body: its HTTP status and a short reason."""

    status: str
    reason: str


TOO_LARGE = Refused("413 Content Too Large", f"request body over {MAX_BODY_BYTES} bytes")
NO_TIMESTAMP = Refused("400 Bad Request", "missing or malformed X-Slack-Request-Timestamp")
UNSIGNED = Refused("401 Unauthorized", "invalid request signature")
MALFORMED = Refused("400 Bad Request", "malformed request body")


def declared_length(environ: dict[str, Any]) -> int | None:
    """The Content-Length as sent, None when absent (a chunked body) or not a number."""
    text = str(environ.get("CONTENT_LENGTH") or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def read_bounded(environ: dict[str, Any], limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The body, or None when it is over `limit`: refused from its declared length without
    reading it, else read no further than one byte past the bound."""
    stream: BinaryIO = environ["wsgi.input"]
    declared = declared_length(environ)
    if declared is not None:
        if declared > limit:
            return None
        return stream.read(declared)
    if "chunked" not in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower():
        return b""
    body = stream.read(limit + 1)
    return None if len(body) > limit else body


def signed(secret: str, timestamp: str, signature: str, body: bytes, now: float) -> bool:
    """Slack's v0 signature (HMAC-SHA256 of `v0:<timestamp>:<body>`) over the raw bytes, and
    a timestamp within five minutes of `now`."""
    if not (secret and well_formed_timestamp(timestamp)):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def payload_of(body: bytes, content_type: str) -> dict[str, Any] | None:
    """What bolt would read from a body, or None when it is not what Slack sends: UTF-8, and
    either a JSON object (events), a form whose one `payload` is a JSON object (clicks and
    forms), or a form naming a `command` (its fields, each once)."""
    try:
        text = body.decode("utf-8")
        if content_type.startswith(JSON):
            parsed = json.loads(text)
            return parsed if isinstance(parsed, dict) else None
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        if "payload" in fields:
            parsed = json.loads(fields["payload"][0]) if len(fields["payload"]) == 1 else None
            return parsed if isinstance(parsed, dict) else None
        return {k: v[0] for k, v in fields.items()} if "command" in fields else None
    except ValueError:  # UnicodeDecodeError and json.JSONDecodeError are ValueErrors
        return None


def fingerprint(body: bytes | None, environ: dict[str, Any]) -> str:
    """What the log says of a refused body: its size and a hash, never its bytes."""
    if body is None:
        declared = declared_length(environ)
        if declared is None:
            return f"chunked, read no further than {MAX_BODY_BYTES + 1} bytes"
        return f"declared {declared} bytes, not read"
    return f"{len(body)} bytes, sha256 {hashlib.sha256(body).hexdigest()[:16]}"


@dataclass(frozen=True)
class Admitted:
    """A signed, well-formed request: its raw body and what bolt will read from it."""

    body: bytes
    payload: dict[str, Any]


def screen(environ: dict[str, Any], secret: str, now: float | None = None) -> Admitted | Refused:
    """A request fit to hand to bolt, or why it is refused (logged)."""
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
    body = read_bounded(environ)
    if body is None:
        refused = TOO_LARGE
    elif not well_formed_timestamp(timestamp):
        refused = NO_TIMESTAMP
    elif not signed(
        secret,
        timestamp,
        str(environ.get("HTTP_X_SLACK_SIGNATURE", "")),
        body,
        time.time() if now is None else now,
    ):
        refused = UNSIGNED
    elif (payload := payload_of(body, str(environ.get("CONTENT_TYPE") or FORM))) is None:
        refused = MALFORMED
    else:
        return Admitted(body, payload)
    log.warning(
        "refused a request from %s: %s (%s)",
        environ.get("REMOTE_ADDR", "?"),
        refused.reason,
        fingerprint(body, environ),
    )
    return refused
