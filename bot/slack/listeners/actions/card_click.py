"""What every button on a reminder's card does first: acknowledge, read who clicked on which
reminder, and let only approvers through (others are refused politely, and it is logged)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.rendering.staff_text import _
from bot.slack.deps import Deps, log
from bot.slack.request_checks import card_problem


@dataclass(frozen=True)
class Click:
    user: str
    reminder_id: int
    trigger_id: str
    respond: Respond

    def reply(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """An ephemeral answer to the person who clicked."""
        self.respond(text=text, response_type="ephemeral", replace_original=False)


def on_card_click(
    app: App, deps: Deps, action_id: str, verb: str, *, later: str = ""
) -> Callable[[Callable[[Click], None]], Callable[[Click], None]]:
    """Register the decorated `handler(click)` for `action_id`; `verb` names the refusal.

    With `later` (what the work is, for the log and the person), the checks and the handler run
    after the acknowledgement on the work pool (`Deps.later`: once the burst is acknowledged,
    retried on transient database errors, the person told if it fails); without, at once (a
    modal must open while its trigger is valid).
    """

    def register(handler: Callable[[Click], None]) -> Callable[[Click], None]:
        def checked(click: Click, body: dict[str, Any]) -> None:
            problem = card_problem(deps, click.reminder_id, body)
            if problem:
                log.warning("refused a click from %s: %s", click.user, problem)
                click.reply(
                    _(
                        "Sorry, {problem}; nothing was done. Use the buttons on the card.",
                        problem=_(problem),
                    )
                )
                return
            if not deps.approvers.may_decide(click.user):
                deps.refuse(click.user, verb, click.reply, {"reminder": click.reminder_id})
                return
            handler(click)

        @app.action(action_id)
        def clicked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            click = Click(
                user=body["user"]["id"],
                reminder_id=int(body["actions"][0]["value"]),
                trigger_id=body.get("trigger_id", ""),
                respond=respond,
            )
            if later:
                deps.later(
                    lambda: checked(click, body), f"{later} {click.reminder_id}", click.reply
                )
            else:
                checked(click, body)

        return handler

    return register
