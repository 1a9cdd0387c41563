"""The settings modal submitted: checked, saved with its audit event, in force at once."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.services.errors import Invalid
from bot.slack.blocks.modals import settings_values
from bot.slack.deps import Deps, refuse_submission
from bot.slack.ids import SETTINGS_CALLBACK


def register(app: App, deps: Deps) -> None:
    @app.view(SETTINGS_CALLBACK)
    def settings_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        if not deps.approvers.is_lead(user):
            refuse_submission(deps, ack, user, "digest_time", "change Relance's settings")
            return
        try:
            deps.runtime.change_settings(settings_values(view["state"]["values"]), user)
        except Invalid as refused:
            field, _sep, message = str(refused).partition(": ")
            block = field if message else "digest_time"
            ack(response_action="errors", errors={block: (message or str(refused))[:150]})
            return
        ack()
