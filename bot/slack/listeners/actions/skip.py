"""*Skip* on a card: ask for a reason first (the modal), decide on submission."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.slack.blocks.modals import skip_modal
from bot.slack.deps import Deps
from bot.slack.ids import SKIP, SKIP_CALLBACK
from bot.slack.listeners.actions.reminder_modal import register_modal_action


def register(app: App, deps: Deps) -> None:
    register_modal_action(app, deps, SKIP, N_("skip reminders"), SKIP_CALLBACK, skip_modal)
