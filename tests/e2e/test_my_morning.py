"""My morning on the Home tab, end to end: each owner sees only their worklist; *Approve the
selected* approves exactly the ticked rows, once, even when the click arrives twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from bot.db import read_only
from bot.models import AuditEvent, Outbox, Reminder
from bot.services import morning as mornings
from bot.slack.blocks.modals import SKIP_CALLBACK
from bot.slack.blocks.worklist import HOME_APPROVE_SELECTED, HOME_PICK, HOME_ROW
from tests.support.blockkit import check_home
from tests.support.slack_fixtures import APPROVER, OTHER_APPROVER, SlackWorld
from tests.support.slack_http import home_opened_event
from tests.support.worklists import OWNERS, home_action, many_customers


@pytest.fixture
def morning(world: SlackWorld, tmp_path: Path) -> SlackWorld:
    today = world.runtime.company_today(world.runtime.now())
    many_customers(world.engine, tmp_path, today, 180)  # 60 each
    mornings.prepare(world.runtime, world.runtime.now(), "CDIGEST")
    return world


def open_home(world: SlackWorld, user: str) -> dict:
    before = len(world.fake.calls_to("views.publish"))
    body = home_opened_event(user)
    assert world.slack.post(body, content_type="application/json").status == 200
    return world.fake.wait_for(lambda: world.fake.calls_to("views.publish")[before:])[0].args


def row_ids(view: dict) -> list[int]:
    return [
        int(option["value"].split("|")[1])
        for block in view["blocks"]
        if block.get("accessory", {}).get("action_id") == HOME_ROW
        for option in block["accessory"]["options"]
        if option["value"].startswith("approve|")
    ]


def owners_of(world: SlackWorld, ids: list[int]) -> set[str]:
    with read_only(world.engine) as session:
        return set(session.exec(select(Reminder.owner).where(Reminder.id.in_(ids))).all())


def test_three_owners_each_see_only_their_worklist(morning: SlackWorld) -> None:
    for owner in OWNERS:
        published = open_home(morning, owner)
        assert published["user_id"] == owner
        view = published["view"]
        check_home(view)
        ids = row_ids(view)
        assert len(ids) == 50 and owners_of(morning, ids) == {owner}  # page 1 of 2
        text = json.dumps(view, ensure_ascii=False)
        assert "My morning — 60 to decide" in text and "Page 1 of 2" in text
        assert ("The team's morning" in text) == (owner == OTHER_APPROVER)  # the lead's view


def tick(view: dict, ids: list[int]) -> dict:
    """The view as Slack sends it back with `ids` ticked in its checkbox groups."""
    values = {}
    for block in view["blocks"]:
        element = (block.get("elements") or [{}])[0]
        if element.get("action_id") == HOME_PICK:
            picked = [o for o in element["options"] if int(o["value"]) in ids]
            values[block["block_id"]] = {HOME_PICK: {"selected_options": picked}}
    return {**view, "id": "VHOME", "state": {"values": values}}


def test_approve_the_selected_approves_exactly_those_once(morning: SlackWorld) -> None:
    view = open_home(morning, APPROVER)["view"]
    ids = row_ids(view)
    ticked = tick(view, ids)
    click = home_action(
        {"type": "button", "action_id": HOME_APPROVE_SELECTED, "value": APPROVER},
        user=APPROVER,
        view=ticked,
    )
    before = len(morning.fake.calls_to("views.publish"))
    assert morning.slack.post(click).status == 200
    assert morning.slack.post(click).status == 200  # the same click, delivered twice
    morning.fake.wait_for(lambda: len(morning.fake.calls_to("views.publish")) >= before + 2)

    with read_only(morning.engine) as session:
        approved = session.exec(select(Reminder).where(Reminder.state == "approved")).all()
        outbox = session.exec(select(Outbox)).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.kind == "approved")).all()
    assert sorted(r.id for r in approved) == sorted(ids) and len(ids) == 50
    assert {r.decided_by for r in approved} == {APPROVER}
    assert len(outbox) == 50 and len(events) == 50
    again = morning.fake.calls_to("views.publish")[-1].args["view"]
    assert "My morning — 10 to decide" in json.dumps(again, ensure_ascii=False)


def test_a_rows_menu_approves_it_or_opens_its_skip(morning: SlackWorld) -> None:
    view = open_home(morning, APPROVER)["view"]
    first, second = row_ids(view)[:2]

    def choose(verb: str, rid: int) -> None:
        option = {"text": {"type": "plain_text", "text": verb}, "value": f"{verb}|{rid}"}
        action = {"type": "overflow", "action_id": HOME_ROW, "selected_option": option}
        assert morning.slack.post(home_action(action, user=APPROVER, view=view)).status == 200

    choose("approve", first)
    morning.fake.wait_for(lambda: len(morning.fake.calls_to("views.publish")) >= 2)
    with read_only(morning.engine) as session:
        assert session.get(Reminder, first).state == "approved"
    choose("skip", second)
    opened = morning.fake.wait_for(lambda: morning.fake.calls_to("views.open"))[0].args["view"]
    assert opened["type"] == "modal"
    with read_only(morning.engine) as session:
        assert session.get(Reminder, second).state == "suggested"
    published = len(morning.fake.calls_to("views.publish"))
    values = {
        "reason": {"value": {"type": "static_select", "selected_option": {"value": "contacted"}}},
        "note": {"value": {"type": "plain_text_input", "value": ""}},
    }
    assert morning.slack.submit(SKIP_CALLBACK, str(second), values, user=APPROVER).status == 200
    again = morning.fake.wait_for(lambda: morning.fake.calls_to("views.publish")[published:])
    assert second not in row_ids(again[0].args["view"])
    with read_only(morning.engine) as session:
        assert session.get(Reminder, second).state == "skipped"
