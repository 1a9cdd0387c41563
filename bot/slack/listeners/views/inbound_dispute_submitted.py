"""The dispute modal under a customer's message submitted: one dispute per invoice picked,
recorded before the acknowledgement; a problem shows in the modal. The customer's cards and
worklist rows then show it (those it overtook expired)."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.services.common.errors import Invalid
from bot.services.inbox.actions import dispute
from bot.slack.access import Role
from bot.slack.blocks.inbound import DISPUTE_CALLBACK
from bot.slack.deps import Deps
from bot.slack.permissions import Submission, inbound_of, on_submission
from bot.slack.touched_shown import show_touched


def register(app: App, deps: Deps) -> None:
    @on_submission(
        app,
        deps,
        DISPUTE_CALLBACK,
        role=Role.APPROVER,
        what=N_("record disputes"),
        block="reason",
        detail=inbound_of,
    )
    def dispute_submitted(form: Submission) -> None:
        inbound_id = int(form.view["private_metadata"])
        picked = form.values["invoices"]["value"].get("selected_options") or []
        reason = form.values["reason"]["value"].get("value") or ""
        try:
            acted = dispute(
                deps.runtime.engine, inbound_id, [o["value"] for o in picked], reason, form.user
            )
        except Invalid as exc:
            form.reject(exc, fallback="reason")
            return
        form.ack()
        show_touched(
            deps, acted.touched, f"the dispute from message {inbound_id}", deps.tell_user(form.user)
        )
