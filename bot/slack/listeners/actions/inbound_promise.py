"""*Promise* under a customer's message: the date and, if they said, the amount (a modal)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.rendering.staff_text import N_, say
from bot.services.common.errors import Invalid
from bot.services.inbox.actions import open_account
from bot.slack.blocks.inbound import PROMISE, PROMISE_CALLBACK, promise_modal
from bot.slack.deps import Deps
from bot.slack.listeners.actions.inbound_click import InboundClick, on_inbound_click
from bot.slack.modal_opener import open_then_fill


def register(app: App, deps: Deps) -> None:
    @on_inbound_click(app, deps, PROMISE, N_("record promises"))
    def clicked(click: InboundClick) -> None:
        def fill() -> dict[str, Any] | str:
            try:
                return promise_modal(open_account(deps.runtime.engine, click.inbound_id))
            except Invalid as exc:
                return say(exc.phrase)

        open_then_fill(deps.client, click.trigger_id, PROMISE_CALLBACK, fill)
