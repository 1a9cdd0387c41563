"""The settings modal submitted: checked, saved with its audit event, in force at once."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.services.errors import Invalid
from bot.slack.blocks.modals import settings_values
from bot.slack.deps import Deps
from bot.slack.ids import SETTINGS_CALLBACK


def register(app: App, deps: Deps) -> None:
    @app.view(SETTINGS_CALLBACK)
    def settings_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        if not deps.approvers.is_lead(user):
            ack(
                response_action="errors",
                errors={"digest_time": "Only finance leads may change the settings."},
            )
            return
        try:
            deps.runtime.change_settings(settings_values(view["state"]["values"]), user)
        except Invalid as refused:
            ack(
                response_action="errors",
                errors={refused.field or "digest_time": refused.message[:150]},
            )
            return
        ack()
