"""The Slack Web API client: rate limits (429) are waited out as `Retry-After` says, and
dropped connections retried — slack_sdk has both handlers but does not turn them on."""

from __future__ import annotations

import logging
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.config import Settings

log = logging.getLogger(__name__)

#: Whether Slack accepted the bot token when this process (or the one that forked it) started:
#: None when Slack could not be asked (`/readyz` reports it).
token_accepted_at_start: bool | None = None


def make_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token or None,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=5),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


def verify_token(settings: Settings) -> None:
    """Ask Slack once who the bot token is: a token it refuses raises `SlackApiError` (the
    start stops there); Slack out of reach is only logged, the app starts and retries."""
    global token_accepted_at_start
    try:
        WebClient(
            token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=15
        ).auth_test()
    except (URLError, OSError) as exc:
        log.warning("Slack could not be asked whether the bot token is valid: %s", exc)
        return
    token_accepted_at_start = True
