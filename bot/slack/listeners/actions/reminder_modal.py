"""What *Edit* and *Skip* share: a click that opens a modal about one undecided reminder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_bolt import App

from bot.domain.states import ReminderState
from bot.rendering.staff_text import language
from bot.services.overview.reminder_view import ReminderView, load_view
from bot.slack.deps import Deps
from bot.slack.listeners.actions.approve import already_decided_text
from bot.slack.listeners.actions.card_click import Click, on_card_click
from bot.slack.modal_opener import open_then_fill


def register_modal_action(
    app: App,
    deps: Deps,
    action_id: str,
    what: str,
    callback_id: str,
    build: Callable[[ReminderView], dict[str, Any]],
) -> None:
    """On `action_id`, open `build(view)` for approvers (`what`: the marked msgid of what
    others may not do); say who decided if someone did."""

    @on_card_click(app, deps, action_id, what)
    def clicked(click: Click) -> None:
        open_reminder_modal(deps, click.reminder_id, click.trigger_id, callback_id, build)


def open_reminder_modal(
    deps: Deps,
    reminder_id: int,
    trigger_id: str,
    callback_id: str,
    build: Callable[[ReminderView], dict[str, Any]],
) -> None:
    """Open the modal at once, then fill it with the reminder (or say who decided it)."""

    def fill() -> dict[str, Any] | str:
        view = load_view(deps.runtime.drafter(), reminder_id)
        if view.state != ReminderState.SUGGESTED:
            return already_decided_text(view.state, view.decided_by)
        stage = deps.runtime.drafter().policy_of(view.segment).find_stage(view.stage)
        if stage is not None:  # shown as staff know it: the policy's label in their language
            view = replace(view, stage=stage.title_in(language()))
        return build(view)

    open_then_fill(deps.client, trigger_id, callback_id, fill)
