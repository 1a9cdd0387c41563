"""Slack's refusals, said in one line each, and a message Slack refuses for its blocks posted
as plain text instead, so that what the team needs to read is never lost to a layout.

A refused layout (`invalid_blocks`) is logged with the payload's shape — block types and
counts, never the customers' text — and Slack's reasons; the message then goes out as its
plain-text fallback with a warning saying the buttons are missing and where to act instead.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.rendering.staff_text import N_, _

log = logging.getLogger(__name__)

LAYOUT_REFUSED = N_(
    "⚠️ Slack refused this message's layout, so it is shown as plain text without its "
    "buttons: decide from Relance's Home or with `/relance`. The details are in Relance's log."
)


#: Slack's error code → one line a person can act on; `{channel}` and `{scope}` filled in
EXPLAINED = {
    "not_in_channel": N_("the bot is not in the channel {channel}: type /invite @Relance in it"),
    "channel_not_found": N_(
        "the channel {channel} does not exist or the bot cannot see it "
        "(RELANCE_DIGEST_CHANNEL takes the channel's ID, C…)"
    ),
    "missing_scope": N_(
        "the bot token lacks the {scope} scope: add it under OAuth & Permissions and "
        "reinstall the app (`relance check --slack` lists them all)"
    ),
    "invalid_auth": N_(
        "SLACK_BOT_TOKEN is not a valid token (invalid_auth): copy the Bot User OAuth Token "
        "from the app's OAuth & Permissions page"
    ),
    "token_revoked": N_(
        "SLACK_BOT_TOKEN was revoked (token_revoked): reinstall the app and copy the new Bot "
        "User OAuth Token"
    ),
    "account_inactive": N_(
        "SLACK_BOT_TOKEN belongs to a deactivated app or workspace (account_inactive)"
    ),
    "not_authed": N_("SLACK_BOT_TOKEN is not set (not_authed)"),
    "ratelimited": N_("Slack kept refusing for its rate limit after every retry (ratelimited)"),
    "invalid_blocks": N_("Slack refused the message's layout (invalid_blocks)"),
}
#: the same lines when Slack did not say which channel or scope
UNNAMED = {
    "not_in_channel": N_("the bot is not in the channel: type /invite @Relance in it"),
    "channel_not_found": N_(
        "the channel does not exist or the bot cannot see it "
        "(RELANCE_DIGEST_CHANNEL takes the channel's ID, C…)"
    ),
    "missing_scope": N_(
        "the bot token lacks a needed scope: add it under OAuth & Permissions and "
        "reinstall the app (`relance check --slack` lists them all)"
    ),
}

#: which value each of those lines names
_NAMES = {"not_in_channel": "channel", "channel_not_found": "channel", "missing_scope": "scope"}


def explain(error: str, channel: str = "", needed: str = "") -> str:
    """One line a person can act on, for the Slack errors the app can meet."""
    named = {"channel": channel, "scope": needed}
    if error in UNNAMED and not named[_NAMES[error]]:
        return _(UNNAMED[error])
    if error in EXPLAINED:
        return _(EXPLAINED[error], **named)
    if error:
        return _("Slack answered {error}", error=error)
    return _("Slack answered an error")


def explain_exception(exc: SlackApiError, channel: str = "") -> str:
    response = exc.response
    return explain(response.get("error", ""), channel, response.get("needed", ""))


def shape(blocks: list[dict[str, Any]]) -> str:
    """What a payload is made of, without its words: `14 blocks: section×9, actions×2 (…)`."""
    kinds = Counter(str(b.get("type")) for b in blocks)
    elements = [len(b.get("elements") or []) for b in blocks if b.get("type") == "actions"]
    parts = ", ".join(f"{kind}×{count}" for kind, count in kinds.items())
    return f"{len(blocks)} blocks: {parts}; actions elements {elements}"


def post_blocks(client: WebClient, *, channel: str, text: str, **message: Any) -> SlackResponse:
    """chat.postMessage; if Slack refuses the blocks, the text alone with a warning."""
    try:
        return client.chat_postMessage(channel=channel, text=text, **message)
    except SlackApiError as exc:
        if exc.response.get("error") != "invalid_blocks":
            raise
        blocks = message.pop("blocks", [])
        log.error(
            "Slack refused a message's blocks for %s (%s): %s",
            channel,
            shape(blocks),
            exc.response.get("errors") or exc.response.get("response_metadata"),
        )
        return client.chat_postMessage(
            channel=channel, text=f"{text}\n\n{_(LAYOUT_REFUSED)}", **message
        )
