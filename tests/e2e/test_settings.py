"""The settings modal: leads only, values checked, saved with an audit event, in force at once
on this instance and at the next refresh on the others."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.db import make_engine, unit_of_work
from bot.entry.composition import build_runtime
from bot.models import AppSetting, AuditEvent
from bot.slack.blocks.modals import SETTINGS_CALLBACK
from tests.support.blockkit import check_modal
from tests.support.slack_fixtures import APPROVER, OTHER_APPROVER, SlackWorld


def submitted(time: str = "08:30", cap: str = "2", channel: str = "CNEW") -> dict:
    def value(v: object) -> dict:
        return {"value": {"type": "number_input", "value": v}}

    return {
        "digest_time": {"value": {"type": "timepicker", "selected_time": time}},
        "digest_channel": {
            "value": {"type": "conversations_select", "selected_conversation": channel}
        },
        "approvers": {
            "value": {"type": "multi_users_select", "selected_users": [APPROVER, "UNEWCOMER"]}
        },
        "approver_groups": {"value": {"type": "plain_text_input", "value": "SCOLLECT"}},
        "max_contacts_per_30_days": value(cap),
        "max_instalments": value("4"),
        "longest_span_days": value("120"),
        "least_first_payment_percent": value("20"),
        "max_discount_percent": value("2"),
    }


def test_a_lead_changes_the_settings(world: SlackWorld) -> None:
    assert (
        world.slack.click(
            "open_settings", "settings", user=OTHER_APPROVER, response_url=world.fake.response_url()
        ).status
        == 200
    )
    modal = world.fake.wait_for(lambda: world.fake.calls_to("views.open"))[0].args["view"]
    check_modal(modal)
    assert modal["callback_id"] == SETTINGS_CALLBACK

    reply = world.slack.submit(SETTINGS_CALLBACK, "", submitted(), user=OTHER_APPROVER)
    assert reply.status == 200 and reply.body == ""
    settings, policy = world.runtime.settings, world.runtime.policy
    assert (settings.digest_time, settings.digest_channel) == ("08:30", "CNEW")
    assert settings.approvers == (APPROVER, "UNEWCOMER")
    assert policy.max_contacts_per_30_days == 2 and policy.plans.max_instalments == 4
    with unit_of_work(world.engine) as session:
        stored = {s.key for s in session.exec(select(AppSetting))}
        event = session.exec(select(AuditEvent).where(AuditEvent.kind == "settings")).one()
    assert {"digest_time", "digest_channel", "approvers"} <= stored
    change = json.loads(event.content)
    assert change["before"]["digest_time"] == "09:00" and change["after"]["digest_time"] == "08:30"
    assert event.actor == OTHER_APPROVER

    other = build_runtime(
        world.runtime.base_settings,
        make_engine(world.engine.url.render_as_string(hide_password=False)),
    )
    assert other.settings.digest_time == "09:00"
    other.refresh()  # another instance picks the change up at its next refresh
    assert other.settings.digest_time == "08:30" and other.policy.plans.longest_span_days == 120
    other.engine.dispose()


def test_only_leads_and_only_sound_values(world: SlackWorld) -> None:
    world.slack.click(
        "open_settings", "settings", user=APPROVER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: world.fake.calls_to("chat.postMessage"))
    assert world.fake.calls_to("views.open") == []
    refused = world.slack.submit(SETTINGS_CALLBACK, "", submitted(), user=APPROVER).json()
    assert refused["response_action"] == "errors"
    bad = world.slack.submit(SETTINGS_CALLBACK, "", submitted(cap="0"), user=OTHER_APPROVER)
    assert bad.json()["errors"] == {"max_contacts_per_30_days": "between 1 and 20"}
    assert world.runtime.settings.digest_time == "09:00"
    with unit_of_work(world.engine) as session:
        assert session.exec(select(AppSetting)).all() == []
        refusals = session.exec(select(AuditEvent).where(AuditEvent.kind == "refused")).all()
    # opening the form and submitting it anyway: both refused, logged and in the audit trail
    assert [(r.actor, json.loads(r.content)["action"]) for r in refusals] == [
        (APPROVER, "change Relance's settings")
    ] * 2
