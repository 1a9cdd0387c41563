"""*Log call* on a call card: the form, with the customer and the task filled in."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond

from bot.db import read_only
from bot.models import Customer, Reminder
from bot.slack.blocks.card import LOG_CALL
from bot.slack.blocks.modals import CALL_CALLBACK, log_call_modal
from bot.slack.deps import Deps
from bot.slack.modal_opener import open_then_fill


def register(app: App, deps: Deps) -> None:
    @app.action(LOG_CALL)
    def log_call_clicked(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        reminder_id = int(body["actions"][0]["value"])

        def reply(text: str, blocks: list[dict] | None = None) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        if not deps.approvers.may_decide(user):
            deps.refuse(user, "log calls", reply, {"reminder": reminder_id})
            return

        def fill() -> dict:
            with read_only(deps.runtime.engine) as session:
                reminder = session.get(Reminder, reminder_id)
                customer = session.get(Customer, reminder.customer_id)
            return log_call_modal(customer.name, customer.external_id, reminder_id, None)

        open_then_fill(deps.client, body["trigger_id"], CALL_CALLBACK, fill)
