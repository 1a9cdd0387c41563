"""Opening a modal within the trigger's three seconds, then filling it.

The `trigger_id` of a click expires after about three seconds, so the modal is opened at once
with a loading view and filled with `views.update` when its content is ready.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.blocks.common import section
from bot.slack.blocks.modals import loading_modal

log = logging.getLogger(__name__)


def open_then_fill(
    client: WebClient, trigger_id: str, callback_id: str, fill: Callable[[], dict[str, Any] | str]
) -> None:
    """`fill` returns the modal, or a sentence to show instead (e.g. already decided)."""
    try:
        opened = client.views_open(trigger_id=trigger_id, view=loading_modal(callback_id))
    except SlackApiError as exc:
        log.error("could not open the %s modal: %s", callback_id, exc.response.get("error"))
        return
    content = fill()
    if isinstance(content, str):
        content = {**loading_modal(callback_id), "blocks": [section(content)]}
    try:
        client.views_update(view_id=opened["view"]["id"], hash=opened["view"]["hash"], view=content)
    except SlackApiError as exc:
        log.error("could not fill the %s modal: %s", callback_id, exc.response.get("error"))
