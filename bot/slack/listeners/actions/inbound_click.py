"""What the buttons under a customer's message share: acknowledge, read who clicked on which
message, and let only approvers through (others are refused politely, and it is logged)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.slack.deps import Deps


@dataclass(frozen=True)
class InboundClick:
    user: str
    inbound_id: int
    trigger_id: str
    respond: Respond

    def reply(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        self.respond(text=text, response_type="ephemeral", replace_original=False)


def on_inbound_click(
    app: App, deps: Deps, action_id: str, verb: str
) -> Callable[[Callable[[InboundClick], None]], Callable[[InboundClick], None]]:
    def register(handler: Callable[[InboundClick], None]) -> Callable[[InboundClick], None]:
        @app.action(action_id)
        def clicked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            click = InboundClick(
                user=body["user"]["id"],
                inbound_id=int(body["actions"][0]["value"]),
                trigger_id=body.get("trigger_id", ""),
                respond=respond,
            )
            if not deps.approvers.may_decide(click.user):
                deps.refuse(click.user, verb, click.reply, {"inbound": click.inbound_id})
                return
            handler(click)

        return handler

    return register
