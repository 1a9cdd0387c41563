"""The promise modal under a customer's message submitted: the promise is recorded on the
account before the acknowledgement; a problem shows in the modal."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.services.errors import Invalid
from bot.services.inbox_actions import promise
from bot.slack.blocks.inbound import PROMISE_CALLBACK
from bot.slack.deps import Deps, refuse_submission
from bot.slack.listeners.commands.args import a_date, an_amount


def register(app: App, deps: Deps) -> None:
    @app.view(PROMISE_CALLBACK)
    def promise_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        inbound_id = int(view["private_metadata"])
        if not deps.approvers.may_decide(user):
            refuse_submission(deps, ack, user, "date", "record promises", {"inbound": inbound_id})
            return
        values = view["state"]["values"]
        try:
            promised = a_date(values["date"]["value"].get("selected_date") or "")
        except Invalid as exc:
            ack(response_action="errors", errors={"date": str(exc)})
            return
        try:
            text = (values["amount"]["value"].get("value") or "").strip()
            amount = an_amount(text) if text else None
            promise(deps.runtime.engine, inbound_id, promised, amount, user, deps.today())
        except Invalid as exc:
            ack(response_action="errors", errors={"amount": str(exc)})
            return
        ack()
