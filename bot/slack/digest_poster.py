"""Posting the daily digest: the morning service decides and claims; this posts the summary,
then one card per suggested reminder in its thread."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services import morning as mornings
from bot.slack.blocks.digest import digest_blocks, digest_fallback
from bot.slack.cards import CardPublisher

log = logging.getLogger(__name__)


def post_morning(runtime: Runtime, client: WebClient, morning: mornings.Morning) -> str:
    """Post a claimed morning's digest and its cards; returns the digest's ts."""
    locale = runtime.settings.locale
    response = client.chat_postMessage(
        channel=morning.channel,
        text=digest_fallback(morning.digest, locale),
        blocks=digest_blocks(morning.digest, locale),
        unfurl_links=False,
    )
    ts = response["ts"]
    mornings.posted(runtime, morning, ts)
    posted = CardPublisher(runtime.engine, client).post_new(morning.run_date, morning.channel, ts)
    log.info("digest for %s posted to %s with %d cards", morning.run_date, morning.channel, posted)
    return ts


def post_daily_digest(runtime: Runtime, client: WebClient, now: datetime, instance: str) -> bool:
    """Post today's digest if it is due and no other instance has: True when this one did."""
    morning = mornings.claim(runtime, now, instance, runtime.settings.digest_channel)
    if morning is None:
        return False
    post_morning(runtime, client, morning)
    return True
