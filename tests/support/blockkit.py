"""Slack's Block Kit rules, checked the way Slack checks them: the fake Slack runs `refusals`
on every message, ephemeral, response URL and view it is sent, so what Slack would refuse is
refused in every test.

Two layers. slack_sdk's models parse each block and validate it on `to_dict()` (recursively:
lengths of section text, header, buttons, options, confirm dialogs; counts of actions, context
elements, select options, overflow options; the view's title, submit, close, private_metadata,
callback_id and its 100 blocks). Then the documented rules slack_sdk does not check, each below
with the docs.slack.dev page that states it (read 2026-12-06):

- blocks per message: 50; per modal or Home: 100
  https://docs.slack.dev/reference/block-kit/blocks
- block_id ≤ 255 characters, unique within a message or view ("block_id should be unique for
  each message and each iteration of a message")
  https://docs.slack.dev/reference/block-kit/blocks/actions-block (same text on every block)
- action_id ≤ 255 characters, "unique among all other action_ids in the containing block"
  https://docs.slack.dev/reference/block-kit/block-elements/button-element (and every element)
- text objects: 1 to 3000 characters
  https://docs.slack.dev/reference/block-kit/composition-objects/text-object
- section fields: at most 10, each at most 2000 characters
  https://docs.slack.dev/reference/block-kit/blocks/section-block
- plain_text_input: min_length 0–3000, max_length 1–3000, and the initial value within them
  https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element
- option objects: text at most 75 characters, value at most 150 (slack_sdk's `Option`
  checks them, but a select's `to_dict()` does not call it)
  https://docs.slack.dev/reference/block-kit/composition-objects/option-object
- checkboxes and radio buttons: at most 10 options
  https://docs.slack.dev/reference/block-kit/block-elements/checkboxes-element
  https://docs.slack.dev/reference/block-kit/block-elements/radio-button-group-element
- a modal with an input block needs `submit`
  https://docs.slack.dev/reference/views/modal-views

A refusal reads as Slack's do: the reason, then `[json-pointer:/blocks/3/elements/1/action_id]`.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
ID_LENGTH = 255
TEXT_LENGTH = 3000
FIELD_LENGTH = 2000
FIELDS = 10
INPUT_LENGTH = 3000
CHOICES = 10  # checkboxes, radio buttons
OPTION_TEXT = 75
OPTION_VALUE = 150


def _refusal(reason: str, pointer: str) -> str:
    return f"{reason} [json-pointer:{pointer}]"


def _elements(block: dict) -> list[tuple[str, dict]]:
    """The interactive elements of a block, with their pointer below the block."""
    kind = block.get("type")
    if kind == "actions":
        return [(f"/elements/{n}", e) for n, e in enumerate(block.get("elements") or [])]
    if kind == "section" and isinstance(block.get("accessory"), dict):
        return [("/accessory", block["accessory"])]
    if kind == "input" and isinstance(block.get("element"), dict):
        return [("/element", block["element"])]
    return []


def _texts(node: Any, pointer: str) -> list[tuple[str, str]]:
    """Every text object's text, with its pointer."""
    if isinstance(node, dict):
        found = []
        if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
            found.append((f"{pointer}/text", node["text"]))
        for key, value in node.items():
            found += _texts(value, f"{pointer}/{key}")
        return found
    if isinstance(node, list):
        return [t for n, v in enumerate(node) for t in _texts(v, f"{pointer}/{n}")]
    return []


def _option_refusals(element: dict, at: str) -> list[str]:
    found = []
    options = [(f"{at}/options/{n}", o) for n, o in enumerate(element.get("options") or [])]
    for key in ("initial_options",):
        options += [(f"{at}/{key}/{n}", o) for n, o in enumerate(element.get(key) or [])]
    if isinstance(element.get("initial_option"), dict):
        options.append((f"{at}/initial_option", element["initial_option"]))
    for where, o in options:
        text = (o.get("text") or {}).get("text") or ""
        if len(text) > OPTION_TEXT:
            found.append(
                _refusal(f"must be at most {OPTION_TEXT} characters", f"{where}/text/text")
            )
        if len(str(o.get("value") or "")) > OPTION_VALUE:
            found.append(_refusal(f"must be at most {OPTION_VALUE} characters", f"{where}/value"))
    return found


def _input_refusals(element: dict, at: str) -> list[str]:
    found = []
    low, high = element.get("min_length"), element.get("max_length")
    if low is not None and not 0 <= low <= INPUT_LENGTH:
        found.append(
            _refusal(f"min_length must be between 0 and {INPUT_LENGTH}", f"{at}/min_length")
        )
    if high is not None and not 1 <= high <= INPUT_LENGTH:
        found.append(
            _refusal(f"max_length must be between 1 and {INPUT_LENGTH}", f"{at}/max_length")
        )
    if low is not None and high is not None and low > high:
        found.append(_refusal("min_length must not exceed max_length", f"{at}/min_length"))
    initial = element.get("initial_value")
    if isinstance(initial, str):
        if len(initial) > min(high if high is not None else INPUT_LENGTH, INPUT_LENGTH):
            found.append(_refusal("initial_value is longer than max_length", f"{at}/initial_value"))
        if low is not None and len(initial) < low:
            found.append(
                _refusal("initial_value is shorter than min_length", f"{at}/initial_value")
            )
    return found


def _block_refusals(block: dict, at: str) -> list[str]:
    """What slack_sdk does not check in one block."""
    found = []
    block_id = block.get("block_id")
    if isinstance(block_id, str) and len(block_id) > ID_LENGTH:
        found.append(_refusal(f"must be at most {ID_LENGTH} characters", f"{at}/block_id"))
    seen: set[str] = set()
    for where, element in _elements(block):
        here = f"{at}{where}"
        if element.get("type") == "plain_text_input":
            found += _input_refusals(element, here)
        found += _option_refusals(element, here)
        choices = element.get("options") or []
        if element.get("type") in ("checkboxes", "radio_buttons") and len(choices) > CHOICES:
            found.append(_refusal(f"no more than {CHOICES} items allowed", f"{here}/options"))
        action_id = element.get("action_id")
        if not isinstance(action_id, str):
            continue
        if len(action_id) > ID_LENGTH:
            found.append(_refusal(f"must be at most {ID_LENGTH} characters", f"{here}/action_id"))
        if action_id in seen:
            found.append(
                _refusal(
                    f"action_id {action_id!r} is not unique within its block", f"{here}/action_id"
                )
            )
        seen.add(action_id)
    fields = block.get("fields") or []
    if block.get("type") == "section":
        for n, field in enumerate(fields):
            if isinstance(field, dict) and len(field.get("text") or "") > FIELD_LENGTH:
                found.append(
                    _refusal(f"must be at most {FIELD_LENGTH} characters", f"{at}/fields/{n}/text")
                )
    for where, text in _texts(block, at):
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LENGTH:
            found.append(_refusal(f"must be between 1 and {TEXT_LENGTH} characters", where))
    return found


def _sdk_refusal(raw: dict, at: str) -> str | None:
    """slack_sdk's own parse and validation, and the round trip: an attribute slack_sdk
    drops is one Slack does not know."""
    try:
        parsed = Block.parse(raw)
        if parsed is None:
            return _refusal(f"unknown block type {raw.get('type')!r}", f"{at}/type")
        again = parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as exc:
        return _refusal(str(exc), at)
    if again != raw:
        return _refusal(f"not a valid {raw.get('type')} block (read as {again})", at)
    return None


def block_refusals(blocks: object, most: int, at: str) -> list[str]:
    """Every rule a list of blocks breaks; `at` is its JSON pointer (`/blocks`, `/view/blocks`)."""
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        return [_refusal("must be an array of block objects", at)]
    found = []
    if len(blocks) > most:
        found.append(_refusal(f"no more than {most} items allowed", at))
    block_ids: set[str] = set()
    for n, raw in enumerate(blocks):
        here = f"{at}/{n}"
        sdk = _sdk_refusal(raw, here)
        if sdk:
            found.append(sdk)
        found += _block_refusals(raw, here)
        block_id = raw.get("block_id")
        if isinstance(block_id, str):
            if block_id in block_ids:
                found.append(_refusal(f"block_id {block_id!r} is not unique", f"{here}/block_id"))
            block_ids.add(block_id)
    return found


def message_refusals(blocks: object) -> list[str]:
    return block_refusals(blocks, MESSAGE_BLOCKS, "/blocks")


def view_refusals(view: object) -> list[str]:
    if not isinstance(view, dict):
        return [_refusal("must be a view object", "/view")]
    found = block_refusals(view.get("blocks"), VIEW_BLOCKS, "/view/blocks")
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, ValueError) as exc:
        found.append(_refusal(str(exc), "/view"))
    for key in ("title", "submit", "close"):
        if isinstance(view.get(key), dict) and not view[key].get("text"):
            found.append(_refusal("must be between 1 and 24 characters", f"/view/{key}/text"))
    has_input = any(
        isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
    )
    if view.get("type") == "modal" and has_input and not view.get("submit"):
        found.append(_refusal("submit is required when an input block is present", "/view"))
    return found


def check_message(blocks: list[dict]) -> None:
    assert blocks, "a message of no blocks"
    refused = message_refusals(blocks)
    assert not refused, "Slack refuses this message:\n" + "\n".join(refused)


def check_modal(view: dict) -> None:
    assert view.get("type") == "modal"
    refused = view_refusals(view)
    assert not refused, "Slack refuses this modal:\n" + "\n".join(refused)


def check_home(view: dict) -> None:
    assert view.get("type") == "home"
    refused = view_refusals(view)
    assert not refused, "Slack refuses this Home:\n" + "\n".join(refused)
