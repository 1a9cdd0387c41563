"""My morning on the Home tab, end to end: each owner sees only their worklist; *Approve the
selected* approves exactly the ticked rows, once, even when the click arrives twice."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import read_only
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Customer, Outbox, Reminder, SlackRequest
from bot.services.ledger.importing import import_invoices
from bot.services.overview import morning as mornings
from bot.slack.blocks.modals import SKIP_CALLBACK
from bot.slack.blocks.worklist import HOME_APPROVE_SELECTED, HOME_PICK, HOME_ROW, PICK_BLOCK
from tests.support.blockkit import check_home
from tests.support.csvfiles import line, write_csv
from tests.support.slack_fixtures import APPROVER, OTHER_APPROVER, SlackWorld
from tests.support.worklists import OWNERS, home_action, many_customers, open_home, row_ids


@pytest.fixture
def morning(world: SlackWorld, tmp_path: Path) -> SlackWorld:
    today = world.runtime.company_today(world.runtime.now())
    many_customers(world.engine, tmp_path, today, 180)  # 60 each
    mornings.prepare(world.runtime, world.runtime.now(), "CDIGEST")
    return world


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


def unhandled(engine: Engine) -> list[SlackRequest]:
    with read_only(engine) as session:
        return session.exec(
            select(SlackRequest).where(col(SlackRequest.handled_at).is_(None))
        ).all()


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
    again = morning.slack.post(click)  # the same signed click, delivered twice: a replay
    assert again.status == 200 and again.body == ""
    morning.fake.wait_for(lambda: len(morning.fake.calls_to("views.publish")) >= before + 1)
    morning.fake.wait_for(lambda: not unhandled(morning.engine))

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


def test_a_final_notice_is_never_ticked_into_approve_the_selected(
    world: SlackWorld, tmp_path: Path
) -> None:
    """A final notice is read and approved on its own: its row offers no checkbox, and a
    batch that names it anyway (a crafted request) approves only the others."""
    runtime = world.runtime
    today = runtime.company_today(runtime.now())
    rows = [
        line(
            customer_id=f"F{days}",
            customer_name=f"Late {days}",
            invoice_number=f"F-{days}",
            due_date=(today - timedelta(days=days)).isoformat(),
            issue_date=(today - timedelta(days=days + 30)).isoformat(),
            owner=APPROVER,
        )
        for days in (20, 50)
    ]
    header = [*line().keys(), "owner"]
    import_invoices(
        world.engine, write_csv(tmp_path / "f.csv", rows, header=header), load_mapping()
    )
    stages = tuple(  # never contacted, 50 days late: the policy starts at the final notice
        replace(s, first_contact_from_days=45) if s.name == "final" else s
        for s in runtime.policy.stages
    )
    runtime.policy = runtime.base_policy = replace(runtime.policy, stages=stages)
    mornings.prepare(runtime, runtime.now(), "CDIGEST")
    with read_only(world.engine) as session:
        stage_of = dict(
            session.exec(
                select(Reminder.stage, Reminder.id)
                .join(Customer, col(Customer.id) == col(Reminder.customer_id))
                .where(col(Customer.external_id).in_(["F20", "F50"]))
            ).all()
        )
    final, friendly = stage_of["final"], stage_of["friendly"]

    view = open_home(world, APPROVER)["view"]
    assert sorted(row_ids(view)) == sorted([final, friendly])
    offered = [
        int(option["value"])
        for block in view["blocks"]
        for element in block.get("elements") or []
        if element.get("action_id") == HOME_PICK
        for option in element["options"]
    ]
    assert offered == [friendly]

    picks = [
        {"value": str(rid), "text": {"type": "plain_text", "text": "x"}}
        for rid in (final, friendly)
    ]
    ticked = {f"{PICK_BLOCK}0": {HOME_PICK: {"selected_options": picks}}}
    crafted = {**view, "id": "VHOME", "state": {"values": ticked}}
    click = home_action(
        {"type": "button", "action_id": HOME_APPROVE_SELECTED, "value": APPROVER},
        user=APPROVER,
        view=crafted,
    )
    assert world.slack.post(click).status == 200
    world.fake.wait_for(lambda: not unhandled(world.engine))
    with read_only(world.engine) as session:
        states = dict(
            session.exec(
                select(Reminder.id, Reminder.state).where(col(Reminder.id).in_([final, friendly]))
            ).all()
        )
    assert states == {friendly: "approved", final: "suggested"}
