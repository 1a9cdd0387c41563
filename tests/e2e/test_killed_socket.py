"""Socket Mode loses no acknowledged click either: a process serving `relance run` (no
`--http`) journals the click before it acknowledges the envelope; killed (SIGKILL) while the
work is parked, it leaves the entry to the next process, whose recovery dispatches it again;
the approval is applied exactly once, with one audit event and one e-mail queued.

The work after the acknowledgement is parked in a real call to Slack that the fake Slack holds
unanswered: before the decision (reading the approvers' user group) or after it (updating the
card). Slack's side of the socket is a WebSocket server on loopback.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import read_only
from bot.models import AuditEvent, Outbox, Reminder, SlackRequest
from tests.support.app_process import socket_app, until
from tests.support.fake_slack import FakeSlack
from tests.support.seeding import seed_cards
from tests.support.slack_http import click_payload
from tests.support.slack_socket import SlackSocket

APPROVER, GROUP_MEMBER = "USOCK1", "USOCK2"


def _entry(engine: Engine) -> SlackRequest:
    with read_only(engine) as session:
        return session.exec(select(SlackRequest).where(col(SlackRequest.body).is_not(None))).one()


def _reminder(engine: Engine, reminder_id: int) -> Reminder:
    with read_only(engine) as session:
        reminder = session.get(Reminder, reminder_id)
        assert reminder is not None
        return reminder


def _count(engine: Engine, model: type, *where: object) -> int:
    with read_only(engine) as session:
        return session.exec(sa.select(sa.func.count()).select_from(model).where(*where)).one()[0]


@pytest.mark.parametrize(
    ("parked_in", "user", "decided_before_the_kill"),
    [("usergroups.users.list", GROUP_MEMBER, False), ("chat.update", APPROVER, True)],
    ids=["before-the-decision", "after-the-decision"],
)
def test_a_click_acknowledged_over_the_socket_by_a_killed_process_is_applied_once(
    engine: Engine, tmp_path: Path, parked_in: str, user: str, decided_before_the_kill: bool
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    reminder_id = seed_cards(url, 1, "S")[0]
    fake, slack = FakeSlack(), SlackSocket()
    fake.socket_mode_url = slack.url
    fake.groups["SSOCK"] = [GROUP_MEMBER]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-socket",
        "SLACK_APP_TOKEN": "xapp-socket",
        "SLACK_API_URL": fake.api_url,
        "RELANCE_APPROVERS": APPROVER,
        "RELANCE_APPROVER_GROUPS": "SSOCK",
        "RELANCE_DIGEST_CHANNEL": "",
        "RELANCE_RECOVERY_SECONDS": "4",
    }
    parked = fake.hold(parked_in)
    click = click_payload(
        "reminder_approve",
        str(reminder_id),
        user=user,
        response_url=fake.response_url(),
        message_ts="1.0",
    )
    try:
        with socket_app(env, tmp_path / "first.log") as first:
            assert slack.connected.wait(60)
            assert slack.send("env-1", "interactive", click) == {"envelope_id": "env-1"}
            assert parked.arrived.wait(30)  # its work is parked after the acknowledgement
            assert _entry(engine).handled_at is None
            assert (_reminder(engine, reminder_id).state == "approved") is decided_before_the_kill
            slack.connected.clear()
            os.kill(first.pid, signal.SIGKILL)
            first.wait(30)
        parked.released.set()

        with socket_app(env, tmp_path / "second.log"):
            assert slack.connected.wait(60)
            until(lambda: _entry(engine).handled_at is not None)
            entry = _entry(engine)
            assert entry.recoveries == 1 and entry.error is None
            reminder = _reminder(engine, reminder_id)
            assert (reminder.state, reminder.decided_by) == ("approved", user)
            assert _count(engine, AuditEvent, AuditEvent.kind == "approved") == 1
            assert _count(engine, Outbox, Outbox.reminder_id == reminder_id) == 1
            # The card shows the decision (updated by the new process); nobody told otherwise.
            updates = 2 if decided_before_the_kill else 1
            until(lambda: len(fake.calls_to("chat.update")) >= updates)
            assert fake.calls_to("chat.postEphemeral") == []
            assert fake.calls_to("response_url") == []
    finally:
        parked.released.set()
        slack.close()
        fake.close()
