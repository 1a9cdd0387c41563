"""Telling the team when the mail server stops the outbox, and when it goes again."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.rendering.staff_text import _
from bot.services.delivery.outbox import DeliveryReport
from bot.slack.mrkdwn import escape, truncate

log = logging.getLogger(__name__)


def alert_text(report: DeliveryReport) -> str | None:
    """The message for the digest channel, or None when there is nothing new to say."""
    if report.pause is not None and report.pause.first:
        return _(
            ":warning: *Sending is paused*: the mail server refused ({error}). No message is "
            "counted as failed; Relance tries again from {until}, waiting longer each time "
            "until the server answers.",
            error=escape(truncate(report.pause.error, 300)),
            until=report.pause.until.strftime("%H:%M UTC"),
        )
    if report.resumed:
        return _(
            ":white_check_mark: *Sending has resumed*: the mail server accepts messages again."
        )
    return None


def post_outbox_alert(client: WebClient, channel: str, report: DeliveryReport) -> None:
    text = alert_text(report)
    if text is None or not channel:
        return
    try:
        client.chat_postMessage(channel=channel, text=text, unfurl_links=False)
    except Exception:  # the alert is a courtesy: the pause itself is in the audit trail
        log.exception("could not post the outbox alert to %s", channel)
