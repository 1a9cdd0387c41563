"""*Settings* on the Home tab: leads only."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.services.app_settings import current
from bot.slack.blocks.modals import settings_modal
from bot.slack.deps import Deps
from bot.slack.ids import OPEN_SETTINGS


def register(app: App, deps: Deps) -> None:
    @app.action(OPEN_SETTINGS)
    def open_settings(ack: Ack, body: dict) -> None:
        ack()
        user = body["user"]["id"]
        if not deps.approvers.is_lead(user):
            deps.refuse(
                user,
                "change Relance's settings",
                lambda text, blocks=None: deps.client.chat_postMessage(channel=user, text=text),
            )
            return
        values = current(deps.runtime.settings, deps.runtime.policy)
        deps.client.views_open(trigger_id=body["trigger_id"], view=settings_modal(values))
