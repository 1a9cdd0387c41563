"""The assign modal submitted: the message is the customer's before the acknowledgement, then
posted again in their card thread."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.services.common.errors import Invalid
from bot.services.inbox.actions import assign
from bot.slack.access import Role
from bot.slack.blocks.inbound import ASSIGN_CALLBACK
from bot.slack.deps import Deps
from bot.slack.inbox_poster import post_inbound
from bot.slack.permissions import Submission, inbound_of, on_submission


def register(app: App, deps: Deps) -> None:
    @on_submission(
        app,
        deps,
        ASSIGN_CALLBACK,
        role=Role.APPROVER,
        what=N_("assign messages"),
        block="customer",
        detail=inbound_of,
    )
    def assign_submitted(form: Submission) -> None:
        inbound_id = int(form.view["private_metadata"])
        query = form.values["customer"]["value"].get("value") or ""
        try:
            assign(deps.runtime.engine, inbound_id, query, form.user, deps.today())
        except Invalid as exc:
            form.reject(exc, fallback="customer")
            return
        form.ack()
        runtime = deps.runtime
        deps.later(
            lambda: post_inbound(
                runtime,
                deps.client,
                runtime.settings.digest_channel,
                runtime.now(),
                deps.cards,
            ),
            f"posting inbound message {inbound_id} in its thread",
        )
