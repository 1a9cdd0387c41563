"""A captured signed request sent again within Slack's 5-minute window acts only once."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from sqlmodel import select

from bot.db import unit_of_work
from bot.models import AuditEvent, Contact
from bot.slack.blocks.modals import CALL_CALLBACK
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_http import command_fields
from tests.support.slack_steps import ephemerals


def kinds(world: SlackWorld, kind: str) -> int:
    with unit_of_work(world.engine) as session:
        return len(session.exec(select(AuditEvent).where(AuditEvent.kind == kind)).all())


def test_a_replayed_command_acts_once(world: SlackWorld) -> None:
    body = urlencode(
        command_fields(
            "pause Atelier", user=APPROVER, channel="CWORK", response_url=world.fake.response_url()
        )
    )
    sent_at = int(time.time())
    assert world.slack.post(body, timestamp=sent_at).status == 200
    world.fake.wait_for(lambda: ephemerals(world))
    replayed = world.slack.post(body, timestamp=sent_at)
    assert replayed.status == 200 and replayed.body == ""
    time.sleep(0.3)  # a replay that acted would have answered by now
    assert len(ephemerals(world)) == 1 and kinds(world, "pause") == 1


def test_a_replayed_call_form_records_one_call(world: SlackWorld) -> None:
    values = {
        "outcome": {"value": {"selected_option": {"value": "reached"}}},
        "promise_date": {"value": {}},
        "amount": {"value": {"value": ""}},
        "notes": {"value": {"value": "spoke to Jean"}},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "user": {"id": APPROVER, "team_id": "T1"},
        "trigger_id": "t",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": CALL_CALLBACK,
            "private_metadata": "A|",
            "state": {"values": values},
            "hash": "h1",
        },
    }
    body = urlencode({"payload": json.dumps(payload)})
    sent_at = int(time.time())
    assert world.slack.post(body, timestamp=sent_at).status == 200
    assert world.slack.post(body, timestamp=sent_at).status == 200
    with unit_of_work(world.engine) as session:
        calls = session.exec(select(Contact).where(Contact.channel == "phone")).all()
    assert len(calls) == 1
