"""Telling the digest channel what a scheduled import did: one line per file, or its errors."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.rendering.staff_text import _, say
from bot.services.ledger.folder_import import FileOutcome
from bot.slack.mrkdwn import escape

log = logging.getLogger(__name__)

#: The error lines shown in Slack; the whole report stays beside the file (`FiledAs.FAILED`).
ERROR_LINES = 10


def notice_text(outcome: FileOutcome) -> str:
    summary = escape(say(outcome.summary()))
    if outcome.report is not None:
        differing = outcome.report.disagreements[:ERROR_LINES]
        return "\n".join([f"📥 {summary}", *(f"• {escape(say(line))}" for line in differing)])
    lines = [say(e.said()) for e in outcome.lines[:ERROR_LINES]]
    shown = "\n".join(f"• {escape(line)}" for line in lines)
    moved = _("❗ {summary}; moved to `failed/` with its error report", summary=summary)
    return f"{moved}\n{shown}"


def post_import_notices(client: WebClient, channel: str, outcomes: list[FileOutcome]) -> None:
    """Each file's notice on its own: one Slack failure does not hide the others."""
    for outcome in outcomes:
        try:
            client.chat_postMessage(channel=channel, text=notice_text(outcome), unfurl_links=False)
        except SlackApiError as exc:
            log.warning("could not tell %s about %s: %s", channel, outcome.name, exc)
