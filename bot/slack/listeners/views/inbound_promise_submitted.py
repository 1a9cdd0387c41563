"""The promise modal under a customer's message submitted: the promise is recorded on the
account before the acknowledgement; a problem shows in the modal."""

from __future__ import annotations

from slack_bolt import App

from bot.services.errors import Invalid
from bot.services.inbox_actions import promise
from bot.slack.access import Role
from bot.slack.blocks.inbound import PROMISE_CALLBACK
from bot.slack.deps import Deps
from bot.slack.listeners.commands.args import a_date, an_amount
from bot.slack.permissions import Submission, inbound_of, on_submission


def register(app: App, deps: Deps) -> None:
    @on_submission(
        app,
        deps,
        PROMISE_CALLBACK,
        role=Role.APPROVER,
        what="record promises",
        block="date",
        detail=inbound_of,
    )
    def promise_submitted(form: Submission) -> None:
        inbound_id = int(form.view["private_metadata"])
        values = form.values
        try:
            promised = a_date(values["date"]["value"].get("selected_date") or "")
        except Invalid as exc:
            form.reject(exc, fallback="date")
            return
        try:
            text = (values["amount"]["value"].get("value") or "").strip()
            amount = an_amount(text) if text else None
            promise(deps.runtime.engine, inbound_id, promised, amount, form.user, deps.today())
        except Invalid as exc:
            form.reject(exc, fallback="amount")
            return
        form.ack()
