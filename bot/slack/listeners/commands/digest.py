"""`/relance digest`: today's digest, now, in this channel."""

from __future__ import annotations

from collections.abc import Callable

from bot.slack.deps import Deps
from bot.slack.digest_poster import publish

USAGE = "`/relance digest` — post today's digest here now"


def run(deps: Deps, args: list[str], command: dict, reply: Callable[[str], None]) -> None:
    now = deps.runtime.now()
    channel = command["channel_id"]
    ts, _digest = publish(deps.runtime, deps.client, channel, now, deps.runtime.company_today(now))
    deps.cards.post_new(deps.runtime.company_today(now), channel, ts)
