"""Posting the daily digest: the morning service decides and claims; this posts ONE summary,
in its thread only the cards that need the channel (a page at most), and one direct message
per owner with their count and a link to their Home. The number of messages does not grow
with the number of suggestions beyond the page."""

from __future__ import annotations

import logging
from datetime import date, datetime
from time import monotonic
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.worklist import channel_stages
from bot.rendering.staff_text import _, speaking
from bot.services.audit.checkpoint import Head, read_head
from bot.services.common.context import Runtime
from bot.services.operations import metrics
from bot.services.overview import morning as mornings
from bot.slack.blocks.common import MAX_MESSAGE_BLOCKS, context, fit
from bot.slack.blocks.digest import digest_blocks, digest_fallback, owner_note
from bot.slack.cards import CardPublisher
from bot.slack.slack_errors import explain_exception, post_blocks

log = logging.getLogger(__name__)


def home_url(client: WebClient) -> str | None:
    """The deep link to this app's Home tab, or None when Slack will not say who we are."""
    try:
        me = client.auth_test()
        app_id = client.bots_info(bot=me["bot_id"])["bot"]["app_id"]
    except (SlackApiError, KeyError, TypeError) as exc:
        log.warning("no link to the Home tab: %s", exc)
        return None
    return f"slack://app?team={me['team_id']}&id={app_id}&tab=home"


def audit_head_block(head: Head) -> dict[str, Any]:
    """The audit chain's head, kept in Slack's history: an anchor outside the database that a
    later `relance audit verify` can be compared with."""
    return context(
        _("Audit trail head: event #{seq} · `{hash}`", seq=head.seq, hash=head.hash or _("empty"))
    )


def with_audit_head(blocks: list[dict[str, Any]], runtime: Runtime) -> list[dict[str, Any]]:
    """The digest's blocks with the head just under the title (where a cut never reaches)."""
    return fit(
        [*blocks[:1], audit_head_block(read_head(runtime.engine)), *blocks[1:]],
        MAX_MESSAGE_BLOCKS,
        "The digest was cut to fit one Slack message; `/relance customer` has the rest.",
    )


def post_thread_cards(
    runtime: Runtime, client: WebClient, run_date: date, channel: str, ts: str
) -> int:
    """The next page of today's cards that need the channel, in the digest's thread."""
    return CardPublisher(runtime.drafter, client).post_new(
        run_date,
        channel,
        ts,
        channel_stages(*runtime.policies()),
        runtime.settings.digest_page_size,
    )


def notify_owners(client: WebClient, morning: mornings.Morning) -> int:
    """One direct message per owner with something awaiting them; returns how many went."""
    owners = morning.digest.owners
    url = home_url(client) if owners else None
    sent = 0
    for owner, count in owners.items():
        try:
            client.chat_postMessage(channel=owner, text=owner_note(count, url))
            sent += 1
        except SlackApiError as exc:
            log.error("could not tell %s about their morning: %s", owner, exc.response.get("error"))
    return sent


def post_morning(runtime: Runtime, client: WebClient, morning: mornings.Morning) -> str:
    """Post a claimed morning's digest, its thread's cards and the owners' notes; returns the
    digest's ts."""
    with speaking(runtime.settings.locale):
        return _post_morning(runtime, client, morning)


def _post_morning(runtime: Runtime, client: WebClient, morning: mornings.Morning) -> str:
    locale = runtime.settings.locale
    response = post_blocks(
        client,
        channel=morning.channel,
        text=digest_fallback(morning.digest, locale),
        blocks=with_audit_head(digest_blocks(morning.digest, locale), runtime),
        unfurl_links=False,
    )
    ts: str = response["ts"]
    mornings.posted(runtime, morning, ts)
    posted = post_thread_cards(runtime, client, morning.run_date, morning.channel, ts)
    told = notify_owners(client, morning)
    log.info(
        "digest for %s posted to %s with %d cards; %d owners told",
        morning.run_date,
        morning.channel,
        posted,
        told,
    )
    return ts


def post_daily_digest(runtime: Runtime, client: WebClient, now: datetime, instance: str) -> bool:
    """Post today's digest if it is due and no other instance has: True when this one did."""
    started = monotonic()
    morning = mornings.claim(runtime, now, instance, runtime.settings.digest_channel, details=False)
    if morning is None:
        return False
    try:
        post_morning(runtime, client, morning)
    except SlackApiError as exc:
        log.error("the digest was not posted: %s", explain_exception(exc, morning.channel))
        return False
    metrics.observe("morning", monotonic() - started)
    return True
