"""Malformed or mismatched requests get a refusal, never an HTTP 500 or a silent error."""

from __future__ import annotations

import logging

import pytest

from bot.slack.blocks.card import APPROVE, SKIP
from bot.slack.blocks.modals import EDIT_CALLBACK, SKIP_CALLBACK
from tests.support.slack_fixtures import APPROVER, SlackWorld
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
