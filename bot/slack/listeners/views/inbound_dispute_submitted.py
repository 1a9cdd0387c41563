"""The dispute modal under a customer's message submitted: one dispute per invoice picked,
recorded before the acknowledgement; a problem shows in the modal."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.services.errors import Invalid
from bot.services.inbox_actions import dispute
from bot.slack.blocks.inbound import DISPUTE_CALLBACK
from bot.slack.deps import Deps, refuse_submission


def register(app: App, deps: Deps) -> None:
    @app.view(DISPUTE_CALLBACK)
    def dispute_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        inbound_id = int(view["private_metadata"])
        if not deps.approvers.may_decide(user):
            refuse_submission(deps, ack, user, "reason", "record disputes", {"inbound": inbound_id})
            return
        values = view["state"]["values"]
        picked = values["invoices"]["value"].get("selected_options") or []
        reason = values["reason"]["value"].get("value") or ""
        try:
            dispute(deps.runtime.engine, inbound_id, [o["value"] for o in picked], reason, user)
        except Invalid as exc:
            ack(response_action="errors", errors={"reason": str(exc)})
            return
        ack()
