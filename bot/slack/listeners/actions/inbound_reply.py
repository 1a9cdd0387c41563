"""*Reply* under a customer's message: a modal for the answer (approvers only)."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond

from bot.services.errors import Invalid
from bot.services.replies import draft
from bot.slack.blocks.inbound import REPLY, REPLY_CALLBACK, reply_modal
from bot.slack.deps import Deps
from bot.slack.modal_opener import open_then_fill


def register(app: App, deps: Deps) -> None:
    @app.action(REPLY)
    def reply_clicked(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        inbound_id = int(body["actions"][0]["value"])
        if not deps.approvers.may_decide(user):
            deps.refuse(
                user,
                "answer customers",
                lambda text, blocks=None: respond(
                    text=text, response_type="ephemeral", replace_original=False
                ),
                {"inbound": inbound_id},
            )
            return

        def fill() -> dict | str:
            try:
                return reply_modal(draft(deps.runtime.engine, inbound_id))
            except Invalid as exc:
                return str(exc)

        open_then_fill(deps.client, body["trigger_id"], REPLY_CALLBACK, fill)
