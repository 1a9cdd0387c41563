"""Posting the daily digest: claim the day, suggest, post the summary, then one card per
suggested reminder in its thread."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

from slack_sdk import WebClient

from bot.domain.calendar import is_business_day, local_now
from bot.runtime import Runtime
from bot.services import digest as digests
from bot.services import plans, promises
from bot.services.audit_checkpoint import Head, read_head
from bot.services.suggestions import suggest
from bot.slack.blocks.common import MAX_MESSAGE_BLOCKS, context, fit
from bot.slack.blocks.digest import digest_blocks, digest_fallback
from bot.slack.cards import CardPublisher

log = logging.getLogger(__name__)


def digest_due(now: datetime, runtime: Runtime) -> date | None:
    """The run date when the daily digest is due at `now`: a business day where the company
    is, at or after the configured local time. None otherwise."""
    settings = runtime.settings
    local = local_now(now, settings.timezone)
    if not is_business_day(local.date(), settings.country):
        return None
    if local.time() < time.fromisoformat(settings.digest_time):
        return None
    return local.date()


def audit_head_block(head: Head) -> dict:
    """The audit chain's head, kept in Slack's history: an anchor outside the database that a
    later `relance audit verify` can be compared with."""
    return context(f"Audit trail head: event #{head.seq} · `{head.hash or 'empty'}`")


def with_audit_head(blocks: list[dict], runtime: Runtime) -> list[dict]:
    """The digest's blocks with the head just under the title (where a cut never reaches)."""
    return fit(
        [*blocks[:1], audit_head_block(read_head(runtime.engine)), *blocks[1:]],
        MAX_MESSAGE_BLOCKS,
        "The digest was cut to fit one Slack message; `/relance customer` has the rest.",
    )


def publish(
    runtime: Runtime, client: WebClient, channel: str, now: datetime, run_date: date
) -> tuple[str, digests.Digest]:
    """Settle promises, suggest (idempotent), post the summary; returns the digest's ts."""
    promises.settle(runtime.engine, run_date, runtime.policy.promise_grace_days)
    plans.settle_plans(runtime.engine, run_date, runtime.policy.promise_grace_days)
    suggest(runtime.engine, runtime.policy, runtime.composer, now, run_date)
    digest = digests.build_digest(runtime.engine, run_date, channel)
    response = client.chat_postMessage(
        channel=channel,
        text=digest_fallback(digest, runtime.settings.locale),
        blocks=with_audit_head(digest_blocks(digest, runtime.settings.locale), runtime),
        unfurl_links=False,
    )
    return response["ts"], digest


def post_daily_digest(runtime: Runtime, client: WebClient, now: datetime, instance: str) -> bool:
    """Post today's digest if it is due and no other instance has: True when this one did."""
    channel = runtime.settings.digest_channel
    run_date = digest_due(now, runtime)
    if run_date is None or not channel:
        return False
    if digests.digest_thread(runtime.engine, run_date, channel):
        return False
    run = digests.claim(runtime.engine, run_date, channel, instance, now)
    if run is None:
        return False
    ts, digest = publish(runtime, client, channel, now, run_date)
    digests.mark_posted(runtime.engine, run.id, ts, digest)
    posted = CardPublisher(runtime.engine, client).post_new(run_date, channel, ts)
    log.info("digest for %s posted to %s by %s with %d cards", run_date, channel, instance, posted)
    return True
