"""`/relance digest` end to end: in the digest channel it posts the day's digest once and
records its totals; anywhere else it shows the digest to the asker and leaves the cards alone."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.db import read_only
from bot.models import DigestRun, Reminder
from bot.slack.client import make_client
from bot.slack.digest_poster import post_daily_digest
from bot.slack.ids import APPROVE_ALL, SHOW_HELD_BACK
from tests.support.blockkit import check_message
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_steps import ask, post_digest


def test_digest_in_another_channel_is_shown_privately_and_keeps_the_cards(
    world: SlackWorld,
) -> None:
    assert (
        world.slack.command(
            "digest", user=APPROVER, channel="CELSEWHERE", response_url=world.fake.response_url()
        ).status
        == 200
    )
    shown = world.fake.wait_for(lambda: world.fake.calls_to("response_url"))[0].args
    assert shown["response_type"] == "ephemeral"
    check_message(shown["blocks"])
    text = json.dumps(shown["blocks"], ensure_ascii=False)
    assert "3 reminders await a decision* in the thread of today's digest in <#CDIGEST>" in text
    assert world.fake.calls_to("chat.postMessage") == []

    assert post_daily_digest(
        world.runtime, make_client(world.runtime.settings), world.runtime.now(), "instance-1"
    )
    posts = world.fake.calls_to("chat.postMessage")
    summary, cards = posts[0], posts[1:]
    assert len(cards) == 3 and all(c.args["channel"] == "CDIGEST" for c in posts)
    assert {c.args["thread_ts"] for c in cards} == {summary.response["ts"]}


def test_digest_in_the_digest_channel_posts_once_and_records_its_totals(
    world: SlackWorld,
) -> None:
    post_digest(world)
    with read_only(world.engine) as session:
        run = session.exec(select(DigestRun)).one()
    assert run.channel == "CDIGEST" and run.posted_at is not None and run.message_ts
    assert json.loads(run.totals)["EUR"]["overdue"] > 0

    before = len(world.fake.calls_to("response_url"))
    world.slack.command(
        "digest", user=APPROVER, channel="CDIGEST", response_url=world.fake.response_url()
    )
    again = world.fake.wait_for(lambda: world.fake.calls_to("response_url")[before:])[0].args
    assert again["response_type"] == "ephemeral" and "Overdue digest" in json.dumps(again)
    summaries = [c for c in world.fake.calls_to("chat.postMessage") if "thread_ts" not in c.args]
    assert len(summaries) == 1
    with read_only(world.engine) as session:
        assert session.exec(select(Reminder).where(Reminder.slack_ts == "")).all() == []


def test_the_digest_shows_who_is_held_back_and_refuses_approve_all_for_final_notices(
    world: SlackWorld,
) -> None:
    ask(world, "pause Atelier")
    world.slack.command(
        "digest", user=APPROVER, channel="CDIGEST", response_url=world.fake.response_url()
    )
    digest = world.fake.wait_for(lambda: world.fake.calls_to("chat.postMessage"))[0].args
    text = json.dumps(digest["blocks"], ensure_ascii=False)
    assert "*Held back today*: 1 late customer gets no reminder — paused 1" in text

    before = len(world.fake.calls_to("response_url"))
    world.slack.click(
        SHOW_HELD_BACK, "paused", user=APPROVER, response_url=world.fake.response_url()
    )
    shown = world.fake.wait_for(lambda: world.fake.calls_to("response_url")[before:])[0].args
    assert shown["response_type"] == "ephemeral"
    assert "*Held back — paused* (1)" in shown["text"] and "Atelier Lefèvre" in shown["text"]

    before = len(world.fake.calls_to("response_url"))
    day = world.runtime.company_today(world.runtime.now()).isoformat()
    world.slack.click(
        APPROVE_ALL, f"{day}|final", user=APPROVER, response_url=world.fake.response_url()
    )
    refused = world.fake.wait_for(lambda: world.fake.calls_to("response_url")[before:])[0].args
    assert refused["text"] == "“Final notice”: final notices are approved one by one, on each card."
