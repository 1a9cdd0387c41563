"""The skip modal submitted: record the reason and skip, exactly once."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.services import decisions
from bot.slack.blocks.modals import SKIP_REASONS
from bot.slack.deps import Deps, refuse_submission
from bot.slack.ids import SKIP_CALLBACK
from bot.slack.listeners.views.decision_shown import show_decision


def register(app: App, deps: Deps) -> None:
    def save(user: str, reminder_id: int, reason: str, key: str) -> None:
        result = decisions.skip(
            deps.runtime.engine,
            reminder_id,
            user,
            reason,
            reason_key=key,
            said_paid_days=deps.runtime.policy.said_paid_hold_days,
        )
        show_decision(deps, user, result)

    @app.view(SKIP_CALLBACK)
    def skip_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        reminder_id = int(view["private_metadata"])
        if not deps.approvers.may_decide(user):
            refuse_submission(
                deps, ack, user, "reason", "skip reminders", {"reminder": reminder_id}
            )
            return
        values = view["state"]["values"]
        key = values["reason"]["value"]["selected_option"]["value"]
        note = (values["note"]["value"].get("value") or "").strip()
        reason = SKIP_REASONS.get(key, key) + (f": {note}" if note else "")
        ack()
        deps.later(
            lambda: save(user, reminder_id, reason, key),
            f"skipping reminder {reminder_id}",
            deps.tell_user(user),
        )
