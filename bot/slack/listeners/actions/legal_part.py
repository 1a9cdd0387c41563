"""*Legal part* on a final notice's card (and in its worklist row's menu): the notice's
statutory figures in full, in a modal (approvers only: the customer's financial data)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.rendering.staff_text import N_
from bot.services.overview.legal_part import legal_part
from bot.slack.blocks.legal import legal_modal
from bot.slack.deps import Deps
from bot.slack.ids import LEGAL_CALLBACK, LEGAL_PART
from bot.slack.listeners.actions.card_click import Click, on_card_click
from bot.slack.modal_opener import open_then_fill


def open_legal_part(deps: Deps, reminder_id: int, trigger_id: str) -> None:
    """Open the modal at once (the trigger lives three seconds), then fill it."""
    runtime = deps.runtime

    def fill() -> dict[str, Any]:
        part = legal_part(
            runtime.drafter(), runtime.composer.laws, runtime.settings.country, reminder_id
        )
        return legal_modal(part)

    open_then_fill(deps.client, trigger_id, LEGAL_CALLBACK, fill)


def register(app: App, deps: Deps) -> None:
    @on_card_click(app, deps, LEGAL_PART, N_("read final notices"))
    def legal_clicked(click: Click) -> None:
        open_legal_part(deps, click.reminder_id, click.trigger_id)
