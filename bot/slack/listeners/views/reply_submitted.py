"""The reply modal submitted (its parts joined, as the edit form's are): the answer is queued
in the outbox before the acknowledgement (so an acknowledged answer is never lost); a problem
shows in the modal."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.services.common.errors import Invalid
from bot.services.inbox.replies import send_reply
from bot.services.reminders.editing import join_body
from bot.slack.access import Role
from bot.slack.blocks.inbound import REPLY_CALLBACK, reply_part_ids
from bot.slack.deps import Deps
from bot.slack.permissions import Submission, inbound_of, on_submission


def register(app: App, deps: Deps) -> None:
    parts = reply_part_ids()

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
        values = form.values
        text = join_body([(values.get(k, {}).get("value", {}).get("value") or "") for k in parts])
        try:
            send_reply(deps.runtime.engine, inbound_id, text, form.user, deps.runtime.now())
        except Invalid as exc:
            form.reject(exc, fallback="text")
            return
        form.ack()
