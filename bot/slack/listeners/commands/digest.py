"""`/relance digest`: today's digest now. In the digest channel it posts the day's digest (if
not posted yet) with its cards; anywhere else, or once posted, it is shown to the asker only,
so no other channel takes today's cards away from the digest's thread."""

from __future__ import annotations

from time import monotonic
from typing import Any

from bot.rendering.staff_text import N_, _
from bot.services.operations import metrics
from bot.services.overview import digest as digests
from bot.services.overview import morning as mornings
from bot.slack.blocks.digest import digest_blocks, digest_fallback
from bot.slack.deps import Deps, Reply
from bot.slack.digest_poster import post_morning, post_thread_cards

USAGE = N_(
    "`/relance digest` — today's digest now (posted in the digest channel, shown to you elsewhere)"
)


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    runtime = deps.runtime
    now = runtime.now()
    home = runtime.settings.digest_channel
    if command["channel_id"] == home:
        started = monotonic()
        claimed = mornings.claim(runtime, now, deps.instance, home, when_due=False, details=False)
        if claimed is not None:
            post_morning(runtime, deps.client, claimed)
            metrics.observe("morning", monotonic() - started)
            return
    morning = mornings.prepare(runtime, now, home or command["channel_id"], details=False)
    thread = digests.digest_thread(runtime.engine, morning.run_date, home) if home else None
    if thread:  # suggestions new since the post go into today's thread, not here
        post_thread_cards(runtime, deps.client, morning.run_date, home, thread)
    locale = runtime.settings.locale
    reply(
        digest_fallback(morning.digest, locale),
        digest_blocks(
            morning.digest,
            locale,
            where=_("in the thread of today's digest in <#{channel}>", channel=home)
            if home
            else _("(no digest channel)"),
        ),
    )
