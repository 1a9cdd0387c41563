"""Auto-approval end to end: the card says when the policy will approve; a skip that arrives
first wins; at its time the policy approves each remaining reminder once, even with two
instances running the check together. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import time, timedelta

from sqlmodel import select

from bot.db import make_engine, read_only
from bot.domain.policy import AutoApproval
from bot.entry.composition import build_runtime
from bot.models import AuditEvent, Outbox, Reminder
from bot.services.reminders import decisions
from bot.slack.blocks.card import SKIP
from bot.slack.blocks.modals import SKIP_CALLBACK
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_steps import post_digest, reminder

RULE = "stage friendly: auto-approve at 11:00"


def auto_approving(world: SlackWorld) -> None:
    policy = world.runtime.policy
    stages = tuple(
        replace(s, auto_approve=AutoApproval(time(11))) if s.name == "friendly" else s
        for s in policy.stages
    )
    world.runtime.policy = world.runtime.base_policy = replace(policy, stages=stages)


def test_the_policy_approves_at_its_time_unless_skipped_first_and_only_once(
    world: SlackWorld,
) -> None:
    auto_approving(world)
    first, *others = post_digest(world)
    assert {r.stage for r in (first, *others)} == {"friendly"}
    cards = world.fake.calls_to("chat.postMessage")[1:]
    assert all("unless someone skips or edits it first" in json.dumps(c.args) for c in cards)

    world.slack.click(SKIP, str(first.id), user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: world.fake.calls_to("views.update"))
    values = {
        "reason": {"value": {"type": "static_select", "selected_option": {"value": "contacted"}}},
        "note": {"value": {"type": "plain_text_input", "value": "Called them"}},
    }
    assert world.slack.submit(SKIP_CALLBACK, str(first.id), values, user=APPROVER).status == 200
    world.fake.wait_for(lambda: reminder(world, first.id).state == "skipped")

    now = world.runtime.now()
    assert decisions.approve_by_policy(world.runtime.drafter(), now) == []  # before 11:00 anywhere

    url = world.engine.url.render_as_string(hide_password=False)
    second = build_runtime(world.runtime.settings, make_engine(url))
    drafters = [world.runtime.drafter(), second.drafter()]
    barrier = threading.Barrier(2)

    def instance(n: int) -> list[int]:
        barrier.wait()
        return decisions.approve_by_policy(drafters[n], now + timedelta(hours=3))

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(instance, [0, 1]))
    second.engine.dispose()
    assert sorted(runs[0] + runs[1]) == sorted(r.id for r in others)

    with read_only(world.engine) as session:
        skipped = session.get(Reminder, first.id)
        approved = session.exec(select(Reminder).where(Reminder.state == "approved")).all()
        outbox = session.exec(select(Outbox)).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.kind == "approved")).all()
    assert skipped.state == "skipped"
    assert {r.decided_by for r in approved} == {decisions.POLICY} and len(approved) == 2
    assert len(outbox) == 2 and len(events) == 2
    assert {(e.actor, json.loads(e.content)["rule"]) for e in events} == {("policy", RULE)}
    assert decisions.approve_by_policy(world.runtime.drafter(), now + timedelta(hours=4)) == []
