"""A 600-suggestion morning on the fake Slack API: one digest, a page of cards in its thread,
one note per owner — and each owner's Home shows only their own worklist."""

from __future__ import annotations

from pathlib import Path

from bot.slack.client import make_client
from bot.slack.digest_poster import post_daily_digest
from tests.support.slack_fixtures import SlackWorld
from tests.support.worklists import OWNERS, many_customers


def test_a_600_suggestion_morning_posts_a_bounded_number_of_messages(
    world: SlackWorld, tmp_path: Path
) -> None:
    today = world.runtime.company_today(world.runtime.now())
    many_customers(world.engine, tmp_path, today, 597, unowned=57)  # + the 3 sample ones
    assert post_daily_digest(
        world.runtime, make_client(world.runtime.settings), world.runtime.now(), "one"
    )
    page = world.runtime.settings.digest_page_size
    posts = world.fake.calls_to("chat.postMessage")
    assert len(posts) <= 2 + page + len(OWNERS)  # the bound the README states

    digest, *rest = posts
    thread = [p for p in rest if p.args.get("thread_ts") == digest.response["ts"]]
    cards = [p for p in thread if "blocks" in p.args]
    assert len(cards) == page and len(thread) == page + 1
    assert "40 more reminders need the channel" in thread[-1].args["text"]
    notes = {p.args["channel"]: p.args["text"] for p in rest if p not in thread}
    assert set(notes) == set(OWNERS)
    assert all("180 reminders await your decision" in text for text in notes.values())
    assert all("slack://app?team=T1&id=A1&tab=home" in text for text in notes.values())
