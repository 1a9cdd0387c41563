"""What every button on a reminder's card does first: acknowledge, read who clicked on which
reminder, and let only approvers through (see `slack.permissions`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App

from bot.slack.access import Role
from bot.slack.deps import Deps
from bot.slack.permissions import Action, on_action


@dataclass(frozen=True)
class Click:
    user: str
    reminder_id: int
    trigger_id: str
    reply: Callable[..., None]  # an ephemeral answer to the person who clicked


def on_card_click(
    app: App, deps: Deps, action_id: str, verb: str
) -> Callable[[Callable[[Click], None]], Callable[[Click], None]]:
    """Register the decorated `handler(click)` for `action_id`; `verb` names the refusal."""

    def register(handler: Callable[[Click], None]) -> Callable[[Click], None]:
        @on_action(
            app,
            deps,
            action_id,
            role=Role.APPROVER,
            what=verb,
            detail=lambda body: {"reminder": int(body["actions"][0]["value"])},
        )
        def clicked(action: Action) -> None:
            handler(Click(action.user, int(action.value), action.trigger_id, action.reply))

        return handler

    return register
