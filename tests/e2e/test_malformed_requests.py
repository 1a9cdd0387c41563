"""Malformed or mismatched requests get a refusal, never an HTTP 500 or a silent error."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from bot.db import read_only
from bot.models import AuditEvent, Reminder
from bot.slack.blocks.card import APPROVE, SKIP
from bot.slack.blocks.modals import EDIT_CALLBACK, SKIP_CALLBACK
from bot.slack.request_body import FORM, JSON, MAX_BODY_BYTES
from tests.support.slack_fixtures import APPROVER, SECRET, SlackWorld
from tests.support.slack_http import Reply, command_fields, oversized_status
from tests.support.slack_steps import ask, ephemerals, post_digest, reminder


def test_a_malformed_timestamp_is_refused(world: SlackWorld) -> None:
    reply = world.slack.post("command=/relance&text=help&user_id=U1", timestamp="abc")  # type: ignore[arg-type]
    assert reply.status == 400
    assert world.fake.calls == []


@pytest.mark.parametrize("callback", [EDIT_CALLBACK, SKIP_CALLBACK])
@pytest.mark.parametrize("metadata", ["abc", "-1", "", "999999"])
def test_a_form_naming_no_reminder_is_refused(
    world: SlackWorld, callback: str, metadata: str, caplog: pytest.LogCaptureFixture
) -> None:
    reply = world.slack.submit(callback, metadata, {}, user=APPROVER)
    assert reply.status == 200
    assert reply.json()["response_action"] == "update"
    assert "nothing was saved" in str(reply.json()["view"])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_button_naming_no_reminder_is_refused(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    post_digest(world)
    for value in ("999999", "abc", "-3"):
        reply = world.slack.click(
            APPROVE, value, user=APPROVER, response_url=world.fake.response_url()
        )
        assert reply.status == 200
    texts = world.fake.wait_for(lambda: len(ephemerals(world)) >= 3 and ephemerals(world))
    assert all("names no reminder" in t for t in texts)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_button_naming_another_cards_reminder_is_refused(world: SlackWorld) -> None:
    first, second, _third = post_digest(world)
    reply = world.slack.click(
        APPROVE,
        str(second.id),
        user=APPROVER,
        response_url=world.fake.response_url(),
        message_ts=first.slack_ts,
    )
    assert reply.status == 200
    text = world.fake.wait_for(lambda: ephemerals(world))[0]
    assert "other than the card" in text
    assert reminder(world, second.id).state == "suggested"
    world.slack.click(
        SKIP,
        str(second.id),
        user=APPROVER,
        response_url=world.fake.response_url(),
        message_ts=second.slack_ts,
    )
    world.fake.wait_for(lambda: world.fake.calls_to("views.open"))  # its own card works


def test_a_plan_of_two_hundred_thousand_instalments_is_refused(world: SlackWorld) -> None:
    assert "more than any plan may have" in ask(world, "plan Atelier 200000")["text"]
    assert "How many instalments" in ask(world, "plan Atelier ²")["text"]
    assert "too far ahead" in ask(world, "plan Atelier 3 9999-12-01")["text"]


# --- check before you parse (issue 25, finding 1) -----------------------------------------


def _post_bytes(world: SlackWorld, body: bytes, *, signed: bool, content_type: str = FORM) -> Reply:
    """A body as bytes (it may not be UTF-8), signed over those bytes or not at all."""
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    request = urllib.request.Request(
        world.slack.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": "v0=" + (digest.hexdigest() if signed else "0" * 64),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.read().decode(), 0.0)
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read().decode(), 0.0)


MALFORMED = [
    (b"payload={not json", FORM),
    (b"payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%22x\xff\xfe%22%7D", FORM),
    (b"\xff\xfe\xfa", FORM),
    (b"{{{", JSON),
    (b"[1, 2]", JSON),
    (b"payload=%5B%5D", FORM),
]


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_malformed_bodies_get_a_4xx_without_a_traceback_or_the_body_in_the_log(
    world: SlackWorld,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    signed: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    reply = _post_bytes(world, body, signed=signed, content_type=content_type)
    assert 400 <= reply.status < 500
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "not json" not in logged and "{{{" not in logged
    assert hashlib.sha256(body).hexdigest()[:16] in logged  # its size and hash instead
    assert world.fake.calls == []


def test_an_unsigned_body_is_refused_before_it_is_parsed_and_never_logged(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_text = "CONFIDENTIAL-" + "x" * 5000
    body = urlencode({"payload": json.dumps({"type": "block_actions", "note": secret_text})})
    reply = _post_bytes(world, body.encode(), signed=False)
    assert reply.status == 401
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "CONFIDENTIAL" not in logged and f"{len(body)} bytes" in logged


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(world: SlackWorld) -> None:
    assert oversized_status(world.slack.url, MAX_BODY_BYTES + 1) == 413
    assert oversized_status(world.slack.url, 20_000_000) == 413
    fields = command_fields(
        "help", user=APPROVER, channel="C1", response_url=world.fake.response_url()
    )
    body = urlencode(fields) + "&padding="
    body += "x" * (MAX_BODY_BYTES - len(body))
    assert world.slack.post(body).status == 200  # at the limit: answered
    world.fake.wait_for(lambda: world.fake.calls_to("response_url"))


SHAPELESS = [
    {"team": {"id": "T1"}, "user": {"id": APPROVER}},  # no type
    {"type": "block_actions", "user": {"id": APPROVER}},  # no actions
    {"type": "block_actions", "user": {"id": APPROVER}, "actions": []},
    {"type": "block_actions", "user": {"id": APPROVER}, "actions": [{"value": "1"}]},
    {"type": "block_actions", "user": {"id": APPROVER}, "actions": ["approve"]},
    {"type": "block_actions", "actions": [{"action_id": APPROVE, "value": "1"}]},  # no user
    {"type": "block_actions", "user": "U1", "actions": [{"action_id": APPROVE, "value": "1"}]},
    {"type": "view_submission", "user": {"id": APPROVER}},  # no view
    {"type": "view_submission", "user": {"id": APPROVER}, "view": {"callback_id": EDIT_CALLBACK}},
    {"type": 7, "user": {"id": APPROVER}},
]


@pytest.mark.parametrize("payload", SHAPELESS)
def test_a_signed_payload_missing_what_listeners_read_is_refused_and_audited(
    world: SlackWorld, caplog: pytest.LogCaptureFixture, payload: dict
) -> None:
    post_digest(world)
    reply = world.slack.post(urlencode({"payload": json.dumps(payload)}))
    assert reply.status == 200  # acknowledged: Slack would retry an error
    refused = world.fake.wait_for(lambda: _refusals(world))
    assert json.loads(refused[0].content)["action"] == "send a malformed request"
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert all(reminder(world, r.id).state == "suggested" for r in _reminders(world))


def _refusals(world: SlackWorld) -> list[AuditEvent]:
    with read_only(world.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.kind == "refused")).all())


def _reminders(world: SlackWorld) -> list[Reminder]:
    with read_only(world.engine) as session:
        return list(session.exec(select(Reminder)).all())
