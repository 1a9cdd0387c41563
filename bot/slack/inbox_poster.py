"""Posting what the reply mailbox brought: each recorded message once, in its customer's card
thread or the digest channel. A Slack error leaves the message to be posted next round."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.inbound import PERSON_WROTE
from bot.services.common.context import Runtime
from bot.services.inbox import posting
from bot.services.inbox.replies_waiting import undecided_cards
from bot.slack.blocks.inbound import inbound_blocks, inbound_fallback
from bot.slack.cards import CardPublisher
from bot.slack.slack_errors import explain_exception, post_blocks

log = logging.getLogger(__name__)


def post_inbound(
    runtime: Runtime,
    client: WebClient,
    digest_channel: str,
    now: datetime,
    cards: CardPublisher | None = None,
) -> int:
    """Returns how many were posted. With `cards`, the cards of the customers who wrote are
    re-rendered: they show the replies waiting."""
    engine = runtime.engine
    posted = 0
    wrote: set[int] = set()
    for view in posting.claim_unposted(engine, now, digest_channel):
        if view.target is None:
            log.warning("inbound message %s: no digest channel to post it to", view.id)
            posting.release(engine, view.id)
            continue
        try:
            response = post_blocks(
                client,
                channel=view.target.channel,
                thread_ts=view.target.thread_ts,
                text=inbound_fallback(view),
                blocks=inbound_blocks(view),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            log.error(
                "could not post inbound message %s: %s",
                view.id,
                explain_exception(exc, view.target.channel),
            )
            posting.release(engine, view.id)
            continue
        posting.mark_posted(engine, view.id, response["channel"], response["ts"])
        posted += 1
        if view.customer_id is not None and view.kind in PERSON_WROTE:
            wrote.add(view.customer_id)
    if cards is not None and wrote:
        cards.refresh(undecided_cards(engine, sorted(wrote)), now.date())
    return posted
