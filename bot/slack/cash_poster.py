"""Posting a bank import: its one summary in the digest channel, and in its thread a card for
each line a person decides (where the card is, is stored so a decision updates it in place)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import cash
from bot.services.common.context import Runtime
from bot.slack.blocks.cash import (
    MAX_CARDS,
    line_blocks,
    line_fallback,
    summary_blocks,
    summary_text,
)

log = logging.getLogger(__name__)


def post_bank_import(
    client: WebClient, runtime: Runtime, channel: str, report: cash.BankImport, locale: str
) -> None:
    """One Slack failure does not stop the other cards; each is logged."""
    engine = runtime.engine
    try:
        posted = client.chat_postMessage(
            channel=channel,
            text=summary_text(report, locale),
            blocks=summary_blocks(report, locale),
            unfurl_links=False,
        )
    except SlackApiError as exc:
        log.warning("could not post the summary of %s: %s", report.file_name, exc)
        return
    cash.summary_posted(engine, report.statement_id, posted["channel"], posted["ts"])
    for view in cash.lines_to_decide(engine, report.statement_id)[:MAX_CARDS]:
        try:
            card = client.chat_postMessage(
                channel=channel,
                thread_ts=posted["ts"],
                text=line_fallback(view, locale),
                blocks=line_blocks(view, locale),
                unfurl_links=False,
            )
        except SlackApiError as exc:
            log.warning("could not post bank line %s: %s", view.id, exc)
            continue
        cash.card_posted(engine, view.id, card["channel"], card["ts"])


def refresh_line(client: WebClient, view: cash.LineView, locale: str) -> None:
    """The card re-drawn from the line as stored: who decided, and no buttons left."""
    if not view.slack_ts:
        return
    try:
        client.chat_update(
            channel=view.slack_channel,
            ts=view.slack_ts,
            text=line_fallback(view, locale),
            blocks=line_blocks(view, locale),
        )
    except SlackApiError as exc:
        log.warning("could not update bank line %s: %s", view.id, exc)
