"""*Settings* on the Home tab: leads only."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.services.operations.app_settings import current
from bot.slack.access import Role
from bot.slack.blocks.modals import settings_modal
from bot.slack.deps import Deps
from bot.slack.ids import OPEN_SETTINGS
from bot.slack.permissions import Action, on_action


def register(app: App, deps: Deps) -> None:
    @on_action(
        app,
        deps,
        OPEN_SETTINGS,
        role=Role.LEAD,
        what=N_("change Relance's settings"),
        by_message=True,
    )
    def open_settings(action: Action) -> None:
        values = current(deps.runtime.settings, deps.runtime.policy)
        deps.client.views_open(trigger_id=action.trigger_id, view=settings_modal(values))
