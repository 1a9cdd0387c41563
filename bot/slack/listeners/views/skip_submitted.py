"""The skip modal submitted: record the reason and skip, exactly once."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_, _
from bot.services.reminders import decisions
from bot.slack.access import Role
from bot.slack.blocks.modals import SKIP_REASONS
from bot.slack.deps import Deps
from bot.slack.ids import SKIP_CALLBACK
from bot.slack.listeners.views.decision_shown import show_decision
from bot.slack.permissions import Submission, on_submission, reminder_of


def register(app: App, deps: Deps) -> None:
    def save(user: str, reminder_id: int, reason: str, key: str) -> None:
        result = decisions.skip(
            deps.runtime.engine,
            reminder_id,
            user,
            reason,
            reason_key=key,
            policies=deps.runtime.governing(),
        )
        show_decision(deps, user, result)

    @on_submission(
        app,
        deps,
        SKIP_CALLBACK,
        role=Role.APPROVER,
        what=N_("skip reminders"),
        block="reason",
        detail=reminder_of,
    )
    def skip_submitted(form: Submission) -> None:
        reminder_id = int(form.view["private_metadata"])
        key = form.values["reason"]["value"]["selected_option"]["value"]
        note = (form.values["note"]["value"].get("value") or "").strip()
        label = _(SKIP_REASONS[key]) if key in SKIP_REASONS else key  # kept in the team's words
        reason = label + (f": {note}" if note else "")
        form.ack()
        deps.later(
            lambda: save(form.user, reminder_id, reason, key),
            f"skipping reminder {reminder_id}",
            deps.tell_user(form.user),
        )
