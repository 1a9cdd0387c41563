"""The settings modal submitted: checked, saved with its audit event, in force at once."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.services.common.errors import Invalid
from bot.slack.access import Role
from bot.slack.blocks.modals import settings_values
from bot.slack.deps import Deps
from bot.slack.ids import SETTINGS_CALLBACK
from bot.slack.permissions import Submission, on_submission


def register(app: App, deps: Deps) -> None:
    @on_submission(
        app,
        deps,
        SETTINGS_CALLBACK,
        role=Role.LEAD,
        what=N_("change Relance's settings"),
        block="digest_time",
    )
    def settings_submitted(form: Submission) -> None:
        try:
            deps.runtime.change_settings(settings_values(form.values), form.user)
        except Invalid as refused:
            form.reject(refused, fallback="digest_time")
            return
        form.ack()
