"""The daily digest carries the audit chain's head: an anchor kept in Slack, outside the
database, that the chain can later be checked against."""

from __future__ import annotations

import json

from bot.services.audit.checkpoint import read_head
from tests.support.slack_fixtures import SlackWorld
from tests.support.slack_steps import post_digest


def test_the_digest_shows_the_audit_head(world: SlackWorld) -> None:
    post_digest(world)
    summary = world.fake.calls_to("chat.postMessage")[0].args
    head = read_head(world.engine)
    shown = json.dumps(summary["blocks"])
    assert head.seq > 0 and "Audit trail head: event #" in shown and head.hash[:32] in shown
