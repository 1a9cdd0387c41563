"""Every message and modal the app builds goes through slack_sdk's Block Kit models and the
documented limits: what Slack would refuse fails here first."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack.blocks.common import MAX_MESSAGE_BLOCKS, MAX_MODAL_BLOCKS, MAX_SECTION_TEXT


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") in ("mrkdwn", "plain_text") else []
        return found + [t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


def check_blocks(blocks: list[dict], most: int) -> None:
    assert 0 < len(blocks) <= most, f"{len(blocks)} blocks (at most {most})"
    for raw in blocks:
        parsed = Block.parse(raw)
        assert parsed is not None, raw
        parsed.validate_json()
        assert parsed.to_dict() == raw, (parsed.to_dict(), raw)
    for text in _texts(blocks):
        assert len(text) <= MAX_SECTION_TEXT


def check_message(blocks: list[dict]) -> None:
    check_blocks(blocks, MAX_MESSAGE_BLOCKS)


def check_modal(view: dict) -> None:
    check_blocks(view["blocks"], MAX_MODAL_BLOCKS)
    View(**view).validate_json()


def check_home(view: dict) -> None:
    check_blocks(view["blocks"], MAX_MODAL_BLOCKS)
    View(**view).validate_json()
