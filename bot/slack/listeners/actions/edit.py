"""*Edit* on a card: the modal opens at once, then fills with subject and text."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.slack.blocks.modals import edit_modal
from bot.slack.deps import Deps
from bot.slack.ids import EDIT, EDIT_CALLBACK
from bot.slack.listeners.actions.reminder_modal import register_modal_action


def register(app: App, deps: Deps) -> None:
    register_modal_action(app, deps, EDIT, N_("edit reminders"), EDIT_CALLBACK, edit_modal)
