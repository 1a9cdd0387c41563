"""The dispute modal under a customer's message submitted: one dispute per invoice picked,
recorded before the acknowledgement; a problem shows in the modal."""

from __future__ import annotations

from slack_bolt import App

from bot.services.errors import Invalid
from bot.services.inbox_actions import dispute
from bot.slack.access import Role
from bot.slack.blocks.inbound import DISPUTE_CALLBACK
from bot.slack.deps import Deps
from bot.slack.permissions import Submission, inbound_of, on_submission


def register(app: App, deps: Deps) -> None:
    @on_submission(
        app,
        deps,
        DISPUTE_CALLBACK,
        role=Role.APPROVER,
        what="record disputes",
        block="reason",
        detail=inbound_of,
    )
    def dispute_submitted(form: Submission) -> None:
        inbound_id = int(form.view["private_metadata"])
        picked = form.values["invoices"]["value"].get("selected_options") or []
        reason = form.values["reason"]["value"].get("value") or ""
        try:
            dispute(
                deps.runtime.engine, inbound_id, [o["value"] for o in picked], reason, form.user
            )
        except Invalid as exc:
            form.reject(exc, fallback="reason")
            return
        form.ack()
