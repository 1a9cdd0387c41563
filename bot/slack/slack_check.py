"""Whether Slack will let the app do its work, asked of Slack itself: the token works, it was
granted every scope `bot/slack/scopes.py` says the code needs (Slack names a token's scopes in
the `X-OAuth-Scopes` header of every answer, here auth.test's), and the digest channel exists
with the bot in it. One line per problem, each saying what to do; `relance check --slack`
prints them, and the app logs them when it starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.scopes import FEATURE_SCOPES, METHODS, bot_scopes
from bot.slack.slack_errors import explain

# Errors that mean the token itself is unusable.
TOKEN_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})


@dataclass(frozen=True)
class Problem:
    text: str
    fatal: bool = False  # the token itself is unusable: nothing the app does can work


def granted_scopes(headers: dict[str, Any]) -> set[str]:
    value = next((v for k, v in headers.items() if k.lower() == "x-oauth-scopes"), "")
    if isinstance(value, list):  # some HTTP layers give a header as a list of values
        value = ",".join(value)
    return {s.strip() for s in str(value).split(",") if s.strip()}


def _needed_by(scope: str) -> str:
    if scope in FEATURE_SCOPES:
        return "the /relance command"
    return ", ".join(name for name, m in METHODS.items() if scope in m.scopes)


def scope_lines(granted: set[str]) -> list[str]:
    return [
        f"the bot token lacks the {scope} scope (needed by {_needed_by(scope)}): add it under "
        "OAuth & Permissions (manifest.yml lists it) and reinstall the app"
        for scope in sorted(bot_scopes() - granted)
    ]


def channel_line(client: WebClient, channel: str) -> str | None:
    """What is wrong with the digest channel, if anything."""
    if not channel:
        return "RELANCE_DIGEST_CHANNEL is not set: the morning digest has nowhere to go"
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        error = exc.response.get("error", "")
        if error == "channel_not_found":
            return (
                f"the digest channel {channel} (RELANCE_DIGEST_CHANNEL) does not exist or the "
                "bot cannot see it: use the channel's ID (C…), and invite the bot to a private one"
            )
        if error == "missing_scope":
            return None  # named among the scopes
        return f"the digest channel {channel} could not be read: {error}"
    if not info.get("is_member"):
        return (
            f"the bot is not a member of the digest channel {channel} (RELANCE_DIGEST_CHANNEL):"
            " type /invite @Relance in it"
        )
    return None


def slack_problems(client: WebClient, channel: str) -> list[Problem]:
    """Every problem found, one line each; none when Slack will take the app's work."""
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "")
        return [Problem(explain(error), fatal=error in TOKEN_ERRORS)]
    except OSError as exc:
        return [Problem(f"Slack could not be reached at {client.base_url}: {exc}")]
    lines = scope_lines(granted_scopes(dict(answer.headers)))
    line = channel_line(client, channel)
    return [Problem(text) for text in [*lines, *([line] if line else [])]]
