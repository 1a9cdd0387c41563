"""*Mark paid — check next import*: the customer says they paid; their reminders hold until a
person resumes them, and the next import shows the payment (or not). Their suggestions expire
at once, on their cards and worklists."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_, say
from bot.services.common.errors import Invalid
from bot.services.inbox.actions import reported_paid
from bot.slack.blocks.inbound import PAID
from bot.slack.deps import Deps
from bot.slack.listeners.actions.inbound_click import InboundClick, on_inbound_click
from bot.slack.mrkdwn import escape
from bot.slack.touched_shown import show_touched


def register(app: App, deps: Deps) -> None:
    @on_inbound_click(app, deps, PAID, N_("mark payments"))
    def clicked(click: InboundClick) -> None:
        try:
            acted = reported_paid(deps.runtime.engine, click.inbound_id, click.user)
        except Invalid as exc:
            click.reply(say(exc.phrase))
            return
        click.reply(
            f"💶 Noted: {escape(acted.customer_name)} says they paid. Reminders hold; the next import "
            "shows the payment — then press *Resume reminders* if it is not there."
        )
        show_touched(
            deps, acted.touched, f"the payment noted from message {click.inbound_id}", click.reply
        )
