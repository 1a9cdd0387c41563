"""The assign modal submitted: the message is the customer's before the acknowledgement, then
posted again in their card thread."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.services.errors import Invalid
from bot.services.inbox_actions import assign
from bot.slack.blocks.inbound import ASSIGN_CALLBACK
from bot.slack.deps import Deps, refuse_submission
from bot.slack.inbox_poster import post_inbound


def register(app: App, deps: Deps) -> None:
    @app.view(ASSIGN_CALLBACK)
    def assign_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        inbound_id = int(view["private_metadata"])
        if not deps.approvers.may_decide(user):
            refuse_submission(
                deps, ack, user, "customer", "assign messages", {"inbound": inbound_id}
            )
            return
        query = view["state"]["values"]["customer"]["value"].get("value") or ""
        try:
            assign(deps.runtime.engine, inbound_id, query, user, deps.today())
        except Invalid as exc:
            ack(response_action="errors", errors={"customer": str(exc)})
            return
        ack()
        runtime = deps.runtime
        deps.later(
            lambda: post_inbound(
                runtime.engine, deps.client, runtime.settings.digest_channel, runtime.now()
            ),
            f"posting inbound message {inbound_id} in its thread",
        )
