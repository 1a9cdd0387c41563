"""The reply modal submitted: the answer is queued in the outbox before the acknowledgement
(so an acknowledged answer is never lost); a problem shows in the modal."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.services.errors import Invalid
from bot.services.replies import send_reply
from bot.slack.blocks.inbound import REPLY_CALLBACK
from bot.slack.deps import Deps, refuse_submission


def register(app: App, deps: Deps) -> None:
    @app.view(REPLY_CALLBACK)
    def reply_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        inbound_id = int(view["private_metadata"])
        if not deps.approvers.may_decide(user):
            refuse_submission(deps, ack, user, "text", "answer customers", {"inbound": inbound_id})
            return
        text = view["state"]["values"]["text"]["value"].get("value") or ""
        try:
            send_reply(deps.runtime.engine, inbound_id, text, user, deps.runtime.now())
        except Invalid as exc:
            ack(response_action="errors", errors={"text": str(exc)})
            return
        ack()
