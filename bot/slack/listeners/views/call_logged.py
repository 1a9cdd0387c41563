"""The call form submitted: outcome, notes, and any promise, checked before it is saved; then
the call task's card, and the customer's cards and worklist rows a promise touched, show it."""

from __future__ import annotations

from datetime import date

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.services.accounts.calls import log_call
from bot.services.common.errors import Invalid
from bot.slack.access import Role
from bot.slack.deps import Deps
from bot.slack.ids import CALL_CALLBACK
from bot.slack.listeners.commands.args import an_amount
from bot.slack.permissions import Submission, on_submission
from bot.slack.touched_shown import show_touched


def register(app: App, deps: Deps) -> None:
    @on_submission(
        app, deps, CALL_CALLBACK, role=Role.APPROVER, what=N_("log calls"), block="outcome"
    )
    def call_logged(form: Submission) -> None:
        customer_ref, _sep, reminder = form.view["private_metadata"].partition("|")
        values = form.values
        outcome = values["outcome"]["value"]["selected_option"]["value"]
        picked = values["promise_date"]["value"].get("selected_date")
        amount_text = (values["amount"]["value"].get("value") or "").strip()
        notes = (values["notes"]["value"].get("value") or "").strip()
        try:
            amount = an_amount(amount_text) if amount_text else None
            logged = log_call(
                deps.runtime.engine,
                customer_ref,
                form.user,
                outcome,
                deps.today(),
                notes=notes,
                promise_date=date.fromisoformat(picked) if picked else None,
                amount=amount,
                reminder_id=int(reminder) if reminder else None,
                now=deps.runtime.now(),
            )
        except Invalid as refused:
            form.reject(refused, fallback="outcome")
            return
        form.ack()
        show_touched(
            deps, logged.touched, f"the call logged on {logged.customer}", deps.tell_user(form.user)
        )
