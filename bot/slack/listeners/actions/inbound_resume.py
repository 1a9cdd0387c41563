"""*Resume reminders* under a message from the mailbox: the person has read it and acted, so
the customer's ladder goes on (approvers only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.rendering.staff_text import N_, _, say
from bot.services.accounts.pauses import resume
from bot.services.common.errors import Invalid
from bot.services.inbox.replies_waiting import undecided_cards
from bot.slack.blocks.inbound import RESUME
from bot.slack.deps import Deps
from bot.slack.mrkdwn import escape


def register(app: App, deps: Deps) -> None:
    @app.action(RESUME)
    def resume_clicked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body["user"]["id"]

        def reply(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        customer_ref = body["actions"][0]["value"]
        if not deps.approvers.may_decide(user):
            deps.refuse(user, N_("resume reminders"), reply, {"customer": customer_ref})
            return
        try:
            customer = resume(deps.runtime.engine, customer_ref, user)
        except Invalid as exc:
            reply(say(exc.phrase))
            return
        reply(
            _(
                "▶️ Reminders to {customer} resume with the next digest.",
                customer=escape(customer.name),
            )
        )
        # its cards no longer say a reply waits
        cards = undecided_cards(deps.runtime.engine, [customer.customer_id])
        deps.cards.refresh(cards, deps.today())
