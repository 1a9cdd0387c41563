"""*Log call* on a call card: the form, with the customer and the task filled in."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.services.accounts.calls import call_form
from bot.slack.blocks.modals import log_call_modal
from bot.slack.deps import Deps
from bot.slack.ids import CALL_CALLBACK, LOG_CALL
from bot.slack.listeners.actions.card_click import Click, on_card_click
from bot.slack.modal_opener import open_then_fill


def register(app: App, deps: Deps) -> None:
    @on_card_click(app, deps, LOG_CALL, "log calls")
    def log_call_clicked(click: Click) -> None:
        def fill() -> dict[str, Any]:
            form = call_form(deps.runtime.engine, reminder_id=click.reminder_id)
            return log_call_modal(form.customer, form.customer_ref, form.reminder_id, None)

        open_then_fill(deps.client, click.trigger_id, CALL_CALLBACK, fill)
