"""The reply modal submitted: the answer is queued in the outbox before the acknowledgement
(so an acknowledged answer is never lost); a problem shows in the modal."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.services.errors import Invalid
from bot.services.replies import send_reply
from bot.slack.access import Role
from bot.slack.blocks.inbound import REPLY_CALLBACK
from bot.slack.deps import Deps
from bot.slack.permissions import Submission, inbound_of, on_submission


def register(app: App, deps: Deps) -> None:
    @on_submission(
        app,
        deps,
        REPLY_CALLBACK,
        role=Role.APPROVER,
        what=N_("answer customers"),
        block="text",
        detail=inbound_of,
    )
    def reply_submitted(form: Submission) -> None:
        inbound_id = int(form.view["private_metadata"])
        text = form.values["text"]["value"].get("value") or ""
        try:
            send_reply(deps.runtime.engine, inbound_id, text, form.user, deps.runtime.now())
        except Invalid as exc:
            form.reject(exc, fallback="text")
            return
        form.ack()
