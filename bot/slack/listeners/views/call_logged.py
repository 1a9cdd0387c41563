"""The call form submitted: outcome, notes, and any promise, checked before it is saved."""

from __future__ import annotations

from datetime import date

from slack_bolt import Ack, App

from bot.services.calls import log_call
from bot.services.errors import Invalid
from bot.slack.deps import Deps, refuse_submission
from bot.slack.ids import CALL_CALLBACK
from bot.slack.listeners.commands.args import an_amount


def register(app: App, deps: Deps) -> None:
    @app.view(CALL_CALLBACK)
    def call_logged(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        if not deps.approvers.may_decide(user):
            refuse_submission(deps, ack, user, "outcome", "log calls")
            return
        customer_ref, _sep, reminder = view["private_metadata"].partition("|")
        values = view["state"]["values"]
        outcome = values["outcome"]["value"]["selected_option"]["value"]
        picked = values["promise_date"]["value"].get("selected_date")
        amount_text = (values["amount"]["value"].get("value") or "").strip()
        notes = (values["notes"]["value"].get("value") or "").strip()
        try:
            amount = an_amount(amount_text) if amount_text else None
            log_call(
                deps.runtime.engine,
                customer_ref,
                user,
                outcome,
                deps.today(),
                notes=notes,
                promise_date=date.fromisoformat(picked) if picked else None,
                amount=amount,
                reminder_id=int(reminder) if reminder else None,
                now=deps.runtime.now(),
            )
        except Invalid as refused:
            ack(
                response_action="errors",
                errors={refused.field or "outcome": refused.message[:150]},
            )
            return
        ack()
        if reminder:
            deps.later(
                lambda: deps.cards.refresh([int(reminder)], deps.today()),
                f"refreshing call card {reminder}",
            )
