"""What *Edit* and *Skip* share: a click that opens a modal about one undecided reminder."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App, Respond

from bot.services.reminder_view import ReminderView, load_view
from bot.slack.deps import Deps
from bot.slack.listeners.actions.approve import already_decided_text
from bot.slack.modal_opener import open_then_fill


def register_modal_action(app: App, deps: Deps, action_id: str, verb: str, callback_id: str,
                          build: Callable[[ReminderView], dict]) -> None:
    """On `action_id`, open `build(view)` for approvers; say who decided if someone did."""

    @app.action(action_id)
    def clicked(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        reminder_id = int(body["actions"][0]["value"])

        def reply(text: str, blocks: list[dict] | None = None) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        if not deps.approvers.may_decide(user):
            deps.refuse(user, f"{verb} reminders", reply, {"reminder": reminder_id})
            return

        def fill() -> dict | str:
            view = load_view(deps.runtime.engine, reminder_id)
            if view.state != "suggested":
                return already_decided_text(view.state, view.decided_by)
            return build(view)

        open_then_fill(deps.client, body["trigger_id"], callback_id, fill)
