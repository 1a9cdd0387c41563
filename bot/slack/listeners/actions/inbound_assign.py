"""*Assign to a customer* under an unmatched message: ask whose it is (a modal)."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.slack.blocks.inbound import ASSIGN, ASSIGN_CALLBACK, assign_modal
from bot.slack.deps import Deps
from bot.slack.listeners.actions.inbound_click import InboundClick, on_inbound_click
from bot.slack.modal_opener import open_then_fill


def register(app: App, deps: Deps) -> None:
    @on_inbound_click(app, deps, ASSIGN, N_("assign messages"))
    def clicked(click: InboundClick) -> None:
        open_then_fill(
            deps.client, click.trigger_id, ASSIGN_CALLBACK, lambda: assign_modal(click.inbound_id)
        )
