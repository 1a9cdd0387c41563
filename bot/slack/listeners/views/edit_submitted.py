"""The edit modal submitted: check the text (as text: it is never rendered), then save it —
approving it too when the box is ticked — exactly once."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.rendering.staff_text import N_, say
from bot.services.overview.reminder_view import load_view
from bot.services.reminders import decisions
from bot.services.reminders.editing import (
    EditedText,
    EditInvalid,
    LetterChoice,
    check_edit,
    join_body,
)
from bot.slack.access import Role
from bot.slack.deps import Deps
from bot.slack.ids import EDIT_CALLBACK
from bot.slack.listeners.views.decision_shown import show_decision
from bot.slack.permissions import Submission, on_submission, reminder_of


def _typed(values: dict[str, Any], block_id: str) -> str:
    return (values.get(block_id, {}).get("value", {}).get("value")) or ""


def register(app: App, deps: Deps) -> None:
    def save(
        user: str, reminder_id: int, edited: EditedText, approve: bool, letter: LetterChoice
    ) -> None:
        result = decisions.save_edit(
            deps.runtime.engine, reminder_id, user, edited, approve, letter
        )
        letter_note = (
            f"The PDF letter was {letter.audit_text}." if result.reminder.has_letter else ""
        )
        show_decision(
            deps, user, result, lost_note=" Your edit was not saved.", won_note=letter_note
        )

    @on_submission(
        app,
        deps,
        EDIT_CALLBACK,
        role=Role.APPROVER,
        what=N_("edit reminders"),
        block="body",
        detail=reminder_of,
    )
    def edit_submitted(form: Submission) -> None:
        user = form.user
        reminder_id = int(form.view["private_metadata"])
        values = form.values
        parts, approve, chosen = _choices(values)
        reminder = load_view(deps.runtime.drafter(), reminder_id)
        try:
            letter = LetterChoice(chosen)
            edited = check_edit(
                deps.runtime.templates,
                reminder.language,
                _typed(values, "subject"),
                join_body([_typed(values, k) for k in parts]),
            )
        except ValueError as exc:
            field, message = (
                (exc.field, say(exc.phrase))
                if isinstance(exc, EditInvalid)
                else ("letter", str(exc))
            )
            form.ack(response_action="errors", errors={field: message[:150]})
            return
        form.ack()
        deps.later(
            lambda: save(user, reminder_id, edited, approve, letter),
            f"saving the edit of {reminder_id}",
            deps.tell_user(user),
        )


def _choices(values: dict[str, Any]) -> tuple[list[str], bool, str]:
    """The form's body parts in order, whether to approve at once, and the letter's choice."""
    parts = sorted(
        (k for k in values if k == "body" or k.startswith("body_")),
        key=lambda k: int(k.removeprefix("body_")) if k != "body" else 1,
    )
    approve = any(
        o.get("value") == "approve"
        for o in values.get("approve", {}).get("value", {}).get("selected_options") or []
    )
    chosen = (values.get("letter", {}).get("value", {}).get("selected_option") or {}).get(
        "value", LetterChoice.KEEP.value
    )
    return parts, approve, chosen
