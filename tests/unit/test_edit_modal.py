"""The edit modal: plain text in inputs Slack accepts, however long the message."""

from __future__ import annotations

from bot.services.reminders.editing import PART_SIZE, join_body
from bot.slack.blocks.modals import edit_modal
from tests.support.blockkit import check_modal
from tests.support.views import reminder_view


def _inputs(modal: dict) -> dict[str, dict]:
    return {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}


def test_a_final_notice_longer_than_3000_characters_can_be_edited_whole() -> None:
    body = "\n\n".join(f"Absatz {n}. " + "Bitte zahlen Sie. " * 40 for n in range(10))
    assert len(body) > 2 * PART_SIZE
    modal = edit_modal(reminder_view(stage="final", body_text=body, has_letter=True))
    check_modal(modal)
    inputs = _inputs(modal)
    parts = [inputs[k] for k in sorted(inputs) if k.startswith("body")]
    assert len(parts) >= 4  # three or more parts of the text, and one empty to write more
    assert all(p["max_length"] == PART_SIZE for p in parts)
    shown = join_body([p.get("initial_value", "") for p in parts])
    assert shown == body
    assert inputs["letter"]["type"] == "radio_buttons"


def test_a_short_reminder_has_one_message_input_and_approves_by_default() -> None:
    modal = edit_modal(reminder_view(body_text="Dear {{ 7*7 }} Ltd"))
    check_modal(modal)
    inputs = _inputs(modal)
    assert inputs["body"]["initial_value"] == "Dear {{ 7*7 }} Ltd"
    assert "body_2" not in inputs and "letter" not in inputs
    assert inputs["approve"]["initial_options"][0]["value"] == "approve"
