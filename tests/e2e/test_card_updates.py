"""Many clicks on one card: Slack is asked to update it at most once a second, and the card
ends showing the final state."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from bot.slack.blocks.card import APPROVE
from tests.support.slack_fixtures import APPROVER, OTHER_APPROVER, SlackWorld
from tests.support.slack_steps import post_digest


def test_forty_clicks_on_one_card_are_coalesced(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    started = time.monotonic()

    def click(n: int) -> int:
        user = APPROVER if n % 2 else OTHER_APPROVER
        return world.slack.click(
            APPROVE, str(first.id), user=user, response_url=world.fake.response_url()
        ).status

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(click, range(40))) == {200}
    time.sleep(1.5)  # let a last scheduled update go out
    updates = [c for c in world.fake.calls_to("chat.update") if c.args["ts"] == first.slack_ts]
    elapsed = time.monotonic() - started
    assert 1 <= len(updates) <= int(elapsed) + 2  # about one a second, not one per click
    assert "Approved by" in json.dumps(updates[-1].args["blocks"])
