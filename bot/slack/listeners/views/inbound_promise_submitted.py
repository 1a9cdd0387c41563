"""The promise modal under a customer's message submitted: the promise is recorded on the
account before the acknowledgement; a problem shows in the modal. The customer's cards and
worklist rows then show it (those it overtook expired)."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.services.common.errors import Invalid
from bot.services.inbox.actions import promise
from bot.slack.access import Role
from bot.slack.blocks.inbound import PROMISE_CALLBACK
from bot.slack.deps import Deps
from bot.slack.listeners.commands.args import a_date, an_amount
from bot.slack.permissions import Submission, inbound_of, on_submission
from bot.slack.touched_shown import show_touched


def register(app: App, deps: Deps) -> None:
    @on_submission(
        app,
        deps,
        PROMISE_CALLBACK,
        role=Role.APPROVER,
        what=N_("record promises"),
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
            acted = promise(
                deps.runtime.engine, inbound_id, promised, amount, form.user, deps.today()
            )
        except Invalid as exc:
            form.reject(exc, fallback="amount")
            return
        form.ack()
        show_touched(
            deps, acted.touched, f"the promise from message {inbound_id}", deps.tell_user(form.user)
        )
