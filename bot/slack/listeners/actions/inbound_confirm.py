"""*Confirm — it is theirs* under a message that was not authenticated as its customer's: a
person vouches for it, and it takes the effect it would have had (a hold, a failing address),
once (approvers only; a second click is told it was done)."""

from __future__ import annotations

from slack_bolt import App

from bot.rendering.staff_text import N_, _, say
from bot.services.common.errors import Invalid
from bot.services.inbox.actions import confirm
from bot.services.inbox.replies_waiting import undecided_cards
from bot.slack.blocks.inbound import CONFIRM
from bot.slack.deps import Deps
from bot.slack.listeners.actions.inbound_click import InboundClick, on_inbound_click
from bot.slack.mrkdwn import escape


def register(app: App, deps: Deps) -> None:
    @on_inbound_click(app, deps, CONFIRM, N_("confirm a message"))
    def clicked(click: InboundClick) -> None:
        engine = deps.runtime.engine
        try:
            confirmed = confirm(engine, click.inbound_id, click.user, deps.today())
        except Invalid as exc:
            click.reply(say(exc.phrase))
            return
        click.reply(_("✅ Confirmed: {what}", what=escape(say(confirmed.consequence))))
        # its cards now say the customer is held or their address failing
        deps.cards.refresh(undecided_cards(engine, [confirmed.customer_id]), deps.today())
