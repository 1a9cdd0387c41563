"""A worker killed (SIGKILL) after it acknowledged an approval loses nothing: the request was
journaled before the acknowledgement, and the worker gunicorn starts in its place dispatches it
again; the approval is applied exactly once, with one audit event and one e-mail queued.

The app runs as in production (`relance run --http`, one gunicorn worker). The work after the
acknowledgement is parked in a real call to Slack that the fake Slack holds unanswered: before
the decision (reading the approvers' user group) or after it (updating the card).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import read_only
from bot.models import AuditEvent, Outbox, Reminder, SlackRequest
from tests.support.app_process import children, http_app, until
from tests.support.fake_slack import FakeSlack
from tests.support.seeding import seed_cards
from tests.support.slack_http import SignedSlack

SECRET = "kill-test-secret"
APPROVER, GROUP_MEMBER = "UKILL1", "UKILL2"


@dataclass
class Killable:
    fake: FakeSlack
    slack: SignedSlack
    server: object
    engine: Engine
    reminder_id: int


@pytest.fixture
def killable(engine: Engine, tmp_path: Path) -> Iterator[Killable]:
    url = engine.url.render_as_string(hide_password=False)
    reminder_id = seed_cards(url, 1, "K")[0]
    fake = FakeSlack()
    fake.groups["SKILL"] = [GROUP_MEMBER]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-kill",
        "SLACK_API_URL": fake.api_url,
        "RELANCE_APPROVERS": APPROVER,
        "RELANCE_APPROVER_GROUPS": "SKILL",
        "RELANCE_DIGEST_CHANNEL": "",
        "RELANCE_RECOVERY_SECONDS": "4",
    }
    with http_app(env, tmp_path) as server:
        slack = SignedSlack(f"http://127.0.0.1:{server.port}/slack/events", SECRET)  # type: ignore[attr-defined]
        yield Killable(fake, slack, server, engine, reminder_id)
    fake.close()


def _entry(engine: Engine) -> SlackRequest:
    with read_only(engine) as session:
        return session.exec(select(SlackRequest).where(col(SlackRequest.body).is_not(None))).one()


def _state(world: Killable) -> str:
    with read_only(world.engine) as session:
        return session.get(Reminder, world.reminder_id).state


def _count(engine: Engine, model: type, *where: object) -> int:
    with read_only(engine) as session:
        return session.exec(sa.select(sa.func.count()).select_from(model).where(*where)).one()[0]


def _kill_the_worker(world: Killable) -> int:
    (worker,) = children(world.server.pid)  # type: ignore[attr-defined]
    os.kill(worker, signal.SIGKILL)
    return worker


@pytest.mark.parametrize(
    ("parked_in", "user", "decided_before_the_kill"),
    [("usergroups.users.list", GROUP_MEMBER, False), ("chat.update", APPROVER, True)],
    ids=["before-the-decision", "after-the-decision"],
)
def test_an_approval_acknowledged_by_a_killed_worker_is_applied_once(
    killable: Killable, parked_in: str, user: str, decided_before_the_kill: bool
) -> None:
    world = killable
    parked = world.fake.hold(parked_in)
    reply = world.slack.click(
        "reminder_approve",
        str(world.reminder_id),
        user=user,
        response_url=world.fake.response_url(),
        message_ts="1.0",
    )
    assert reply.status == 200  # acknowledged
    assert parked.arrived.wait(30)  # its work is parked after the acknowledgement
    assert _entry(world.engine).handled_at is None
    assert (_state(world) == "approved") is decided_before_the_kill

    killed = _kill_the_worker(world)
    parked.released.set()
    until(lambda: [p for p in children(world.server.pid) if p != killed])  # type: ignore[attr-defined]
    until(lambda: _entry(world.engine).handled_at is not None)

    entry = _entry(world.engine)
    assert entry.recoveries == 1 and entry.error is None
    assert _state(world) == "approved"
    with read_only(world.engine) as session:
        reminder = session.get(Reminder, world.reminder_id)
    assert reminder.decided_by == user
    assert _count(world.engine, AuditEvent, AuditEvent.kind == "approved") == 1
    assert _count(world.engine, Outbox, Outbox.reminder_id == world.reminder_id) == 1
    # The card shows the decision (updated by the new worker), and nobody was told otherwise.
    until(lambda: len(world.fake.calls_to("chat.update")) >= (2 if decided_before_the_kill else 1))
    assert world.fake.calls_to("chat.postEphemeral") == []
    assert world.fake.calls_to("response_url") == []
