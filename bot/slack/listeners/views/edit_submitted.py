"""The edit modal submitted: check the text renders, then save it and approve, exactly once."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.services import decisions
from bot.services.compose import sender_from
from bot.services.editing import EditedText, EditInvalid, render_edit
from bot.services.reminder_view import ReminderView, load_view
from bot.slack.blocks.modals import EDIT_CALLBACK
from bot.slack.deps import Deps, refuse_submission
from bot.slack.listeners.views.decision_shown import show_decision


def register(app: App, deps: Deps) -> None:
    def save(user: str, reminder: ReminderView, edited: EditedText) -> None:
        result = decisions.approve_edited(
            deps.runtime.engine, reminder.id, user, edited.subject, edited.text, edited.html
        )
        show_decision(deps, user, result, lost_note=" Your edit was not saved.")

    @app.view(EDIT_CALLBACK)
    def edit_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        reminder_id = int(view["private_metadata"])
        if not deps.approvers.may_decide(user):
            refuse_submission(deps, ack, user, "body", "edit reminders", {"reminder": reminder_id})
            return
        values = view["state"]["values"]
        subject = values["subject"]["value"]["value"] or ""
        body_text = values["body"]["value"]["value"] or ""
        reminder = load_view(deps.runtime.engine, reminder_id)
        try:
            edited = render_edit(
                deps.runtime.templates,
                sender_from(deps.runtime.settings),
                reminder,
                subject,
                body_text,
            )
        except EditInvalid as exc:
            ack(response_action="errors", errors={"body": str(exc)[:150]})
            return
        ack()
        deps.later(
            lambda: save(user, reminder, edited),
            f"saving the edit of {reminder_id}",
            deps.tell_user(user),
        )
