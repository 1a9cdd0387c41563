"""Socket Mode, what `relance run` uses without `--http`: Slack's envelopes arrive over a
WebSocket and are acknowledged on it, and do what the same request does over HTTP.

A WebSocket server on loopback plays Slack's side of the socket; the Web API is the recording
fake, which hands out that server's address from `apps.connections.open`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import unit_of_work
from bot.entry.composition import build_runtime, next_business_morning
from bot.entry.server import GatedSocketModeHandler
from bot.models import AuditEvent, Reminder, SlackRequest
from bot.slack.blocks.card import APPROVE
from tests.support.fake_slack import FakeSlack
from tests.support.slack_fixtures import APPROVER, STRANGER, sample_ledger, slack_settings
from tests.support.slack_http import click_payload, command_fields
from tests.support.slack_socket import SlackSocket


@pytest.fixture
def socket_app(engine: Engine, tmp_path: Path) -> Iterator[tuple[SlackSocket, FakeSlack]]:
    fake = FakeSlack()
    slack = SlackSocket()
    fake.socket_mode_url = slack.url
    settings = slack_settings(fake, slack_app_token="xapp-test")
    morning = next_business_morning(datetime.now(UTC).date(), settings)
    sample_ledger(engine, tmp_path, morning.date())
    handler = GatedSocketModeHandler(build_runtime(settings, engine, clock=lambda: morning))
    handler.connect()
    assert slack.connected.wait(10)
    yield slack, fake
    slack.close()  # Slack's side first: the client's own close waits seconds for a live peer
    handler.close()
    fake.close()


def _reminders(engine: Engine) -> list[Reminder]:
    with unit_of_work(engine) as session:
        return list(session.exec(select(Reminder).order_by(Reminder.id)).all())


def test_a_command_and_a_click_over_the_socket(
    socket_app: tuple[SlackSocket, FakeSlack], engine: Engine
) -> None:
    slack, fake = socket_app
    ack = slack.send(
        "env-1",
        "slash_commands",
        command_fields(
            "digest", user=APPROVER, channel="CDIGEST", response_url=fake.response_url()
        ),
    )
    assert ack == {"envelope_id": "env-1"}
    cards = fake.wait_for(lambda: [r for r in _reminders(engine) if r.slack_ts])
    assert fake.calls_to("apps.connections.open")
    assert fake.calls_to("chat.postMessage")[0].args["channel"] == "CDIGEST"

    first = cards[0]
    ack = slack.send(
        "env-2",
        "interactive",
        click_payload(APPROVE, str(first.id), user=APPROVER, response_url=fake.response_url()),
    )
    assert ack == {"envelope_id": "env-2"}
    fake.wait_for(lambda: fake.calls_to("chat.update"))
    approved = next(r for r in _reminders(engine) if r.id == first.id)
    assert (approved.state, approved.decided_by) == ("approved", APPROVER)
    assert f"Approved by <@{APPROVER}>" in json.dumps(fake.calls_to("chat.update")[0].args)


def test_a_stranger_is_refused_over_the_socket_too(
    socket_app: tuple[SlackSocket, FakeSlack], engine: Engine
) -> None:
    slack, fake = socket_app
    slack.send(
        "env-1",
        "slash_commands",
        command_fields(
            "digest", user=APPROVER, channel="CDIGEST", response_url=fake.response_url()
        ),
    )
    first = fake.wait_for(lambda: [r for r in _reminders(engine) if r.slack_ts])[0]
    ack = slack.send(
        "env-2",
        "interactive",
        click_payload(APPROVE, str(first.id), user=STRANGER, response_url=fake.response_url()),
    )
    assert ack == {"envelope_id": "env-2"}
    refusal = fake.wait_for(lambda: fake.calls_to("response_url"))[0].args["text"]
    assert refusal.startswith("Sorry, you are not among the people who may approve")
    assert next(r for r in _reminders(engine) if r.id == first.id).state == "suggested"
    with unit_of_work(engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.kind == "refused")).one()


def _handled(engine: Engine) -> list[SlackRequest]:
    with unit_of_work(engine) as session:
        return list(session.exec(select(SlackRequest).where(SlackRequest.handled_at != None)))  # noqa: E711


def test_a_redelivered_envelope_is_acknowledged_and_acts_once(
    socket_app: tuple[SlackSocket, FakeSlack], engine: Engine
) -> None:
    slack, fake = socket_app
    command = command_fields(
        "digest", user=APPROVER, channel="CDIGEST", response_url=fake.response_url()
    )
    slack.send("env-1", "slash_commands", command)
    first = fake.wait_for(lambda: [r for r in _reminders(engine) if r.slack_ts])[0]
    click = click_payload(APPROVE, str(first.id), user=APPROVER, response_url=fake.response_url())
    for envelope_id, kind, payload in [
        ("env-1", "slash_commands", command),  # the same command, delivered again
        ("env-2", "interactive", click),
        ("env-3", "interactive", click),  # the same click, in another envelope
    ]:
        assert slack.send(envelope_id, kind, payload) == {"envelope_id": envelope_id}
    fake.wait_for(lambda: _handled(engine))  # the click's journal entry: its work is done
    assert next(r for r in _reminders(engine) if r.id == first.id).state == "approved"
    with unit_of_work(engine) as session:
        assert len(session.exec(select(AuditEvent).where(AuditEvent.kind == "approved")).all()) == 1
    assert len(fake.calls_to("chat.update")) == 1
    digests = [c for c in fake.calls_to("chat.postMessage") if "digest" in c.args["text"]]
    assert len(digests) == 1  # the command acted once
