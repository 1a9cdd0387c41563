"""*Skip* on a card: ask for a reason first (the modal), decide on submission."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond

from bot.services.reminder_view import load_view
from bot.slack.blocks.card import SKIP
from bot.slack.blocks.modals import SKIP_CALLBACK, skip_modal
from bot.slack.deps import Deps
from bot.slack.listeners.actions.approve import already_decided_text
from bot.slack.modal_opener import open_then_fill


def register(app: App, deps: Deps) -> None:
    @app.action(SKIP)
    def skip_clicked(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        reminder_id = int(body["actions"][0]["value"])

        def reply(text: str) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        if not deps.approvers.may_decide(user):
            deps.refuse(user, "skip reminders", reply, {"reminder": reminder_id})
            return

        def fill() -> dict | str:
            view = load_view(deps.runtime.engine, reminder_id)
            if view.state != "suggested":
                return already_decided_text(view.state, view.decided_by)
            return skip_modal(view)

        open_then_fill(deps.client, body["trigger_id"], SKIP_CALLBACK, fill)
