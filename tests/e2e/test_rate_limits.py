"""Slack's rate limits, met: a 200-suggestion morning, its *Approve all* and a burst of page
news go through a fake Slack that paces like Slack (one `chat.postMessage` per second per
channel beyond a short burst, each method's tier, HTTP 429 with `Retry-After`), and nothing is
lost: the app's client waits out each 429 and sends again.

The fake's pace is Slack's sped up twice (`Pace.strict(speed=2)`): Retry-After is still 1 s,
so the test stays short while every burst is refused as Slack would refuse it."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from bot.db import unit_of_work
from bot.models import Reminder
from bot.services.page.customer_page import News
from bot.slack.client import make_client
from bot.slack.digest_poster import post_daily_digest
from bot.slack.ids import APPROVE_ALL, numbered
from bot.slack.page_news import news_poster
from tests.support.fake_slack import Pace
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.worklists import OWNERS, many_customers


def test_200_suggestions_approve_all_and_page_news_get_through_slacks_pace(
    world: SlackWorld, tmp_path: Path
) -> None:
    world.fake.pace = Pace.strict(speed=2)
    runtime = world.runtime
    today = runtime.company_today(runtime.now())
    many_customers(world.engine, tmp_path, today, 197, unowned=40)  # + the 3 sample ones
    client = make_client(runtime.settings)
    assert post_daily_digest(runtime, client, runtime.now(), "one")

    page = runtime.settings.digest_page_size
    posts = world.fake.calls_to("chat.postMessage")
    digest = next(p for p in posts if p.response.get("ok") and "thread_ts" not in p.args)
    thread = [
        p
        for p in posts
        if p.response.get("ok") and p.args.get("thread_ts") == digest.response["ts"]
    ]
    assert len([p for p in thread if "blocks" in p.args]) == page  # every card of the page
    assert "more reminders need the channel" in thread[-1].args["text"]
    told = {
        p.args["channel"] for p in posts if p.response.get("ok") and p.args["channel"] in OWNERS
    }
    assert told == set(OWNERS)
    refused_first = world.fake.limited
    assert refused_first > 0  # the burst was refused, and waited out

    with unit_of_work(world.engine) as session:
        stages = {r.stage for r in session.exec(select(Reminder)).all()}
    stage = "friendly" if "friendly" in stages else sorted(stages)[0]
    reply = world.slack.click(
        numbered(APPROVE_ALL, 0),
        f"{today.isoformat()}|{stage}",
        user=APPROVER,
        response_url=world.fake.response_url(),
    )
    assert reply.status == 200
    world.fake.wait_for(lambda: world.fake.calls_to("response_url"), timeout=60)
    with unit_of_work(world.engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.stage == stage)).all()
        waiting = [r for r in rows if r.state != "approved"]
        carded = {r.slack_ts for r in rows if r.slack_ts}
    assert rows and waiting == []
    world.fake.wait_for(
        lambda: (
            {c.args["ts"] for c in world.fake.calls_to("chat.update") if c.response.get("ok")}
            >= carded
        ),
        timeout=60,
    )

    post = news_poster(client)
    for n in range(12):
        post(
            News(
                customer_id=n,
                customer_ref=f"M{n:05d}",
                customer_name=f"Many {n:05d}",
                kind="contact",
                invoice_numbers=(f"M-{n:05d}",),
                facts=[("Message", "Please call me back")],
                target_channel=runtime.settings.digest_channel,
                target_thread=digest.response["ts"],
            )
        )
    news = [
        c
        for c in world.fake.calls_to("chat.postMessage")
        if c.response.get("ok")
        and "Many" in c.args.get("text", "")
        and c.args.get("unfurl_media") is not None
    ]
    assert len(news) == 12
    assert world.fake.limited > refused_first
