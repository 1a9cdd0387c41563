"""Requests a dead worker acknowledged, dispatched again by the recovery pass: one instance
claims each; work that then fails for good, or that stopped too often, is reported to the
person ephemerally where they clicked, with the cause, and is not tried again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db import is_postgres, read_only, unit_of_work
from bot.models import AuditEvent, SlackRequest
from bot.services.common import journal as rows
from bot.services.common import replays
from bot.slack import journal
from bot.slack.app import create_app
from bot.slack.blocks.card import APPROVE
from tests.support.roles import tampering
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_http import click_payload
from tests.support.slack_steps import post_digest, reminder

REFUSAL = "the audit store refused the event"


def left_by_a_dead_worker(
    world: SlackWorld, reminder_id: int, slack_ts: str, by: str = "dead-host:1"
) -> str:
    """An approval some worker (`by`) journaled and acknowledged, then died before doing, or
    is still doing past its claim."""
    payload = click_payload(
        APPROVE,
        str(reminder_id),
        user=APPROVER,
        response_url=world.fake.response_url(),
        message_ts=slack_ts,
    )
    now = datetime.now(UTC)
    kept = replays.Kept(
        urlencode({"payload": json.dumps(payload)}),
        "application/x-www-form-urlencoded",
        by,
        now - timedelta(seconds=1),
    )
    assert replays.first_arrival(world.engine, "v0=dead", now - timedelta(seconds=30), kept)
    return "v0=dead"


@contextmanager
def audit_refusing(engine: Engine) -> Iterator[None]:
    """Every new audit event refused by the database (a trigger): a failure no retry cures."""
    with tampering(engine) as conn:  # the owner's DDL: the app's role may not add triggers
        if is_postgres(engine):
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event "
                "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
            )
        else:
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )
    try:
        yield
    finally:
        with tampering(engine) as conn:
            conn.exec_driver_sql(
                "DROP TRIGGER refuse_audit" + (" ON audit_event" if is_postgres(engine) else "")
            )
            if is_postgres(engine):
                conn.exec_driver_sql("DROP FUNCTION refuse_audit()")


def entry(engine: Engine, signature: str) -> SlackRequest:
    with read_only(engine) as session:
        return session.get(SlackRequest, signature)


def recover(world: SlackWorld, instance: str = "live-host:2") -> int:
    app, deps = create_app(world.runtime)
    return journal.recover(app, world.runtime, deps.client, instance, 60)


def approvals(engine: Engine) -> int:
    with read_only(engine) as session:
        return session.exec(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.kind == "approved")
        ).one()[0]


def test_a_recovered_approval_is_applied_once_and_claimed_by_one_instance(
    world: SlackWorld,
) -> None:
    first = post_digest(world)[0]
    signature = left_by_a_dead_worker(world, first.id, first.slack_ts)
    assert recover(world) == 1
    world.fake.wait_for(lambda: entry(world.engine, signature).handled_at)
    assert reminder(world, first.id).state == "approved" and approvals(world.engine) == 1
    assert entry(world.engine, signature).claimed_by == "live-host:2"
    assert recover(world, "other-host:3") == 0  # handled: nobody dispatches it again
    assert approvals(world.engine) == 1


def test_a_recovered_approval_that_fails_for_good_is_reported_with_its_cause(
    world: SlackWorld,
) -> None:
    first = post_digest(world)[0]
    signature = left_by_a_dead_worker(world, first.id, first.slack_ts)
    with audit_refusing(world.engine):
        assert recover(world) == 1
        told = world.fake.wait_for(lambda: world.fake.calls_to("chat.postEphemeral"))[0].args
        world.fake.wait_for(lambda: entry(world.engine, signature).handled_at)
    assert (told["channel"], told["user"]) == ("CDIGEST", APPROVER)
    assert f"approving reminder {first.id} failed" in told["text"] and REFUSAL in told["text"]
    assert REFUSAL in (entry(world.engine, signature).error or "")
    assert reminder(world, first.id).state == "suggested"
    assert recover(world) == 0  # failed for good: not dispatched again


def test_a_request_whose_work_stopped_too_often_is_reported_not_retried(
    world: SlackWorld,
) -> None:
    first = post_digest(world)[0]
    signature = left_by_a_dead_worker(world, first.id, first.slack_ts)
    with unit_of_work(world.engine) as session:
        session.exec(
            sa.update(SlackRequest)
            .where(SlackRequest.signature == signature)
            .values(recoveries=rows.MAX_RECOVERIES)
        )
    assert recover(world) == 1
    told = world.fake.wait_for(lambda: world.fake.calls_to("chat.postEphemeral"))[0].args
    assert told["user"] == APPROVER and "stopped 3 times" in told["text"]
    assert entry(world.engine, signature).handled_at is not None
    assert reminder(world, first.id).state == "suggested"


def test_work_still_running_past_its_claim_keeps_it_and_is_not_dispatched_elsewhere(
    world: SlackWorld,
) -> None:
    first = post_digest(world)[0]
    signature = left_by_a_dead_worker(world, first.id, first.slack_ts, by="live-host:2")
    running = journal.Entry(world.runtime, signature, {})  # this process is still on it
    try:
        assert recover(world, "live-host:2") == 0  # renews its own claim first
        assert entry(world.engine, signature).claimed_until > datetime.now(UTC)
        assert recover(world, "other-host:3") == 0  # not taken for dead
    finally:
        running.hold()
        running.release()
    assert entry(world.engine, signature).handled_at is not None
    assert approvals(world.engine) == 0 and reminder(world, first.id).state == "suggested"
