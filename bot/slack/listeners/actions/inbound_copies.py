"""*Send copies*, under a customer's message asking for one: the copies of their open invoices
and a statement of account go as the answer to that message, through the outbox (once,
retried, in the audit trail). The click of an approver is the approval, as for an answer."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_, _, say
from bot.services.common.errors import Invalid
from bot.services.delivery.copies import send_copies
from bot.services.page import page_links
from bot.slack.blocks.inbound import COPIES
from bot.slack.deps import Deps
from bot.slack.listeners.actions.inbound_click import InboundClick, on_inbound_click
from bot.slack.mrkdwn import escape


def register(app: App, deps: Deps) -> None:
    @on_inbound_click(app, deps, COPIES, N_("send copies to customers"))
    def clicked(click: InboundClick) -> None:
        runtime = deps.runtime
        try:
            queued = send_copies(
                runtime.engine,
                runtime.settings,
                click.inbound_id,
                click.user,
                runtime.now(),
                lambda customer_id: page_links.page_url(
                    runtime.engine, runtime.settings, customer_id, runtime.now()
                ),
            )
        except Invalid as exc:
            click.reply(say(exc.phrase))
            return
        listed = ", ".join(escape(n) for n in queued.numbers) or _("no open invoice")
        click.reply(
            "📄 "
            + _(
                "Copies for {customer} queued to {to}: {listed}, with a statement of account. "
                "It leaves with the next sending.",
                customer=escape(queued.customer_name),
                to=escape(queued.to),
                listed=listed,
            )
        )
