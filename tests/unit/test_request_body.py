"""The raw request's checks, before bolt parses anything (bot/slack/request_body.py)."""

from __future__ import annotations

import io

from bot.slack.request_body import (
    FORM,
    JSON,
    MAX_BODY_BYTES,
    TOO_LARGE,
    UNSIGNED,
    Admitted,
    payload_of,
    read_bounded,
    screen,
    signed,
)

# Slack's own worked example, "Verifying requests from Slack" (api.slack.com/authentication/
# verifying-requests-from-slack): its signing secret, timestamp, slash-command body and the
# signature Slack computed for them.
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_TIMESTAMP = "1531420618"
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    b"G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    b"collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F3977008"
    b"85554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c4"
    b"47fce8b6703c"
)
SLACK_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
THEN = 1531420618 + 10


def environ(body: bytes, length: str | None = None, chunked: bool = False, **headers: str) -> dict:
    env = {"wsgi.input": io.BytesIO(body), "CONTENT_TYPE": FORM, **headers}
    if chunked:
        env["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        env["CONTENT_LENGTH"] = str(len(body)) if length is None else length
    return env


def test_slacks_own_example_is_signed() -> None:
    assert signed(SLACK_SECRET, SLACK_TIMESTAMP, SLACK_SIGNATURE, SLACK_BODY, THEN)
    assert not signed(SLACK_SECRET, SLACK_TIMESTAMP, SLACK_SIGNATURE, SLACK_BODY + b"x", THEN)
    assert not signed("another", SLACK_TIMESTAMP, SLACK_SIGNATURE, SLACK_BODY, THEN)
    assert not signed(SLACK_SECRET, SLACK_TIMESTAMP, SLACK_SIGNATURE, SLACK_BODY, THEN + 600)


def test_slacks_own_example_is_admitted_whole() -> None:
    admitted = screen(
        environ(
            SLACK_BODY,
            HTTP_X_SLACK_REQUEST_TIMESTAMP=SLACK_TIMESTAMP,
            HTTP_X_SLACK_SIGNATURE=SLACK_SIGNATURE,
        ),
        SLACK_SECRET,
        THEN,
    )
    assert isinstance(admitted, Admitted) and admitted.body == SLACK_BODY
    assert admitted.payload["command"] == "/webhook-collect"


def test_a_declared_length_over_the_bound_is_refused_unread() -> None:
    stream = environ(b"x" * 10, length=str(MAX_BODY_BYTES + 1))
    assert read_bounded(stream) is None
    assert stream["wsgi.input"].tell() == 0  # not a byte read
    assert screen(stream, SLACK_SECRET, THEN) == TOO_LARGE


def test_a_chunked_body_is_read_no_further_than_the_bound() -> None:
    stream = environ(b"x" * (MAX_BODY_BYTES * 3), chunked=True)
    assert read_bounded(stream) is None
    assert stream["wsgi.input"].tell() == MAX_BODY_BYTES + 1
    assert read_bounded(environ(b"payload={}", chunked=True)) == b"payload={}"


def test_an_unsigned_body_is_refused_before_it_is_parsed() -> None:
    refused = screen(
        environ(b"payload={not json", HTTP_X_SLACK_REQUEST_TIMESTAMP=str(THEN)),
        SLACK_SECRET,
        THEN,
    )
    assert refused == UNSIGNED


def test_only_what_slack_sends_parses() -> None:
    assert payload_of(b'payload={"type": "block_actions"}', FORM) == {"type": "block_actions"}
    assert payload_of(b'{"type": "event_callback"}', JSON) == {"type": "event_callback"}
    for body, kind in [
        (b"payload={not json", FORM),
        (b"payload=%5B%5D", FORM),
        (b"payload={}&payload={}", FORM),
        (b"\xff\xfe", FORM),
        (b"{{{", JSON),
        (b"[]", JSON),
        (b"text=hello", FORM),  # neither a payload nor a command
    ]:
        assert payload_of(body, kind) is None, body
