"""*Resume reminders* under a message from the mailbox: the person has read it and acted, so
the customer's ladder goes on (approvers only)."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond

from bot.rendering.staff_text import N_, _, say
from bot.services.errors import Invalid
from bot.services.pauses import resume
from bot.services.replies_waiting import undecided_cards
from bot.slack.blocks.inbound import RESUME
from bot.slack.deps import Deps
from bot.slack.mrkdwn import escape


def register(app: App, deps: Deps) -> None:
    @app.action(RESUME)
    def resume_clicked(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]

        def reply(text: str, blocks: list[dict] | None = None) -> None:
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
        if customer.id is not None:  # its cards no longer say a reply waits
            deps.cards.refresh(undecided_cards(deps.runtime.engine, [customer.id]), deps.today())
