"""Races that must have one winner: twenty people approving one card at the same moment, and
two app instances reaching digest time together. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from bot.db import make_engine, unit_of_work
from bot.entry.composition import build_runtime
from bot.models import AuditEvent, DigestRun, Outbox, Reminder
from bot.services import audit
from bot.slack.blocks.card import APPROVE
from bot.slack.client import make_client
from bot.slack.digest_poster import post_daily_digest
from tests.support.slack_fixtures import SlackWorld
from tests.support.slack_steps import ephemerals, post_digest


def test_twenty_concurrent_approvals_make_one_approval_and_one_outbox_entry(
    world: SlackWorld,
) -> None:
    clickers = [f"UCLICK{n:02d}" for n in range(20)]
    world.fake.groups["SCOLLECT"] = clickers
    card = post_digest(world)[0]
    barrier = threading.Barrier(len(clickers))

    def click(user: str) -> int:
        barrier.wait()
        return world.slack.click(
            APPROVE, str(card.id), user=user, response_url=world.fake.response_url(user)
        ).status

    with ThreadPoolExecutor(len(clickers)) as pool:
        statuses = list(pool.map(click, clickers))
    assert statuses == [200] * 20
    told = world.fake.wait_for(lambda: len(ephemerals(world)) == 19 and ephemerals(world))
    with unit_of_work(world.engine) as session:
        approved = session.exec(select(Reminder).where(Reminder.id == card.id)).one()
        outbox = session.exec(select(Outbox)).all()
        approvals = session.exec(select(AuditEvent).where(AuditEvent.kind == "approved")).all()
        chain = audit.verify(session)
    assert approved.state == "approved" and approved.decided_by in clickers
    assert len(outbox) == 1 and len(approvals) == 1
    assert set(told) == {f"This reminder was already approved by <@{approved.decided_by}>."}
    assert chain.ok


def test_two_instances_at_digest_time_post_one_digest(world: SlackWorld) -> None:
    url = world.engine.url.render_as_string(hide_password=False)
    instances = [
        world.runtime,
        build_runtime(world.runtime.settings, make_engine(url), clock=world.runtime.clock),
    ]
    digest_time = world.runtime.now()  # 10:00 on a business day, after the 09:00 digest time
    barrier = threading.Barrier(2)

    def tick(n: int) -> bool:
        runtime = instances[n]
        barrier.wait()
        return post_daily_digest(
            runtime, make_client(runtime.settings), digest_time, f"instance-{n}"
        )

    with ThreadPoolExecutor(2) as pool:
        posted = list(pool.map(tick, [0, 1]))
    assert sorted(posted) == [False, True]
    summaries = [c for c in world.fake.calls_to("chat.postMessage") if "thread_ts" not in c.args]
    assert len(summaries) == 1 and summaries[0].args["channel"] == "CDIGEST"
    with unit_of_work(world.engine) as session:
        runs = session.exec(select(DigestRun)).all()
    assert len(runs) == 1 and runs[0].posted_at is not None
    assert runs[0].message_ts == summaries[0].response["ts"]
    # later ticks the same day do nothing
    later = post_daily_digest(
        instances[1], make_client(instances[1].settings), digest_time, "instance-1"
    )
    assert not later
    instances[1].engine.dispose()
