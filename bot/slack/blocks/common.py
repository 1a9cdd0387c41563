"""Small block constructors that enforce Slack's limits, so no builder can exceed them."""

from __future__ import annotations

from typing import Any

from bot.rendering.staff_text import _
from bot.slack.mrkdwn import truncate

MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_CONTEXT_TEXT = 2000
MAX_MESSAGE_TEXT = 4000  # the notification fallback shown beside the blocks

Block = dict[str, Any]


def header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, MAX_HEADER_TEXT)},
    }


def section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)},
    }
    if accessory:
        block["accessory"] = accessory
    return block


def context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, MAX_CONTEXT_TEXT)}],
    }


def divider() -> Block:
    return {"type": "divider"}


def button(
    text: str, action_id: str, value: str, style: str | None = None, confirm: Block | None = None
) -> Block:
    element: Block = {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": truncate(text, MAX_BUTTON_TEXT)},
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(title: str, text: str, yes: str, no: str | None = None) -> Block:
    no = no or _("Cancel")
    return {
        "title": {"type": "plain_text", "text": truncate(title, 100)},
        "text": {"type": "mrkdwn", "text": truncate(text, 300)},
        "confirm": {"type": "plain_text", "text": truncate(yes, 30)},
        "deny": {"type": "plain_text", "text": truncate(no, 30)},
    }


def actions(block_id: str, *elements: Block) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def line_sections(lines: list[str], *, empty: str, limit: int = MAX_SECTION_TEXT) -> list[Block]:
    """Lines packed into as few sections as fit: a long list pages instead of failing."""
    if not lines:
        return [section(empty)]
    blocks, current = [], ""
    for line in lines:
        line = truncate(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            blocks.append(section(current))
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    blocks.append(section(current))
    return blocks


def capped(lines: list[str], most: int, more: str) -> list[str]:
    """At most `most` lines, then one that says how many were left out."""
    if len(lines) <= most:
        return lines
    return [*lines[:most], more.format(count=len(lines) - most)]


def slack_date(when_epoch: int, fallback: str) -> str:
    """A time Slack shows in each reader's own time zone."""
    shown = _("{date} at {time}", date="{date_short_pretty}", time="{time}")
    return f"<!date^{when_epoch}^{shown}|{fallback}>"


def fit(blocks: list[Block], most: int, note: str) -> list[Block]:
    """The last guard of a builder: never more than `most` blocks; what is cut is said."""
    if len(blocks) <= most:
        return blocks
    return [*blocks[: most - 1], context(note)]
