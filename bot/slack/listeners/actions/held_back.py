"""*Show* beside a reason the digest holds customers back for: who, and the detail, to the
person who asked."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.rendering.staff_text import N_
from bot.services.overview import morning as mornings
from bot.slack.blocks.held import held_back_text
from bot.slack.deps import Deps
from bot.slack.ids import SHOW_HELD_BACK, any_numbered


def register(app: App, deps: Deps) -> None:
    @app.action(any_numbered(SHOW_HELD_BACK))
    def show(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        reason = body["actions"][0]["value"]

        def reply(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        def work() -> None:
            if not deps.approvers.may_decide(user):
                deps.refuse(user, N_("see who is held back"), reply)
                return
            held = mornings.who_is_held_back(deps.runtime, deps.runtime.now(), reason)
            reply(held_back_text(held))

        deps.later(work, f"showing who is held back ({reason})")
