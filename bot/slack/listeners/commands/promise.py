"""`/relance promise <invoice> <date> [amount]`: a promise to pay holds the reminders; the
customer's cards and worklist rows show it at once (those it overtook stopped)."""

from __future__ import annotations

from typing import Any

from bot.rendering.locale import staff_date
from bot.rendering.staff_text import N_, _
from bot.services.accounts.promises import record_promise
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import a_date, an_amount, need
from bot.slack.mrkdwn import escape
from bot.slack.touched_shown import show_touched

USAGE = N_("`/relance promise <invoice> <YYYY-MM-DD> [amount]` — record a promise to pay")


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 2, USAGE)
    promised = a_date(args[1])
    amount = an_amount(args[2]) if len(args) > 2 else None
    made = record_promise(
        deps.runtime.engine, args[0], promised, amount, command["user_id"], deps.today()
    )
    when = staff_date(promised, deps.runtime.settings.locale)
    reply(
        _(
            "🤝 Recorded: {amount} of {invoice} promised for {date}. Reminders for it wait until "
            "then.",
            amount=amount,
            invoice=escape(args[0]),
            date=when,
        )
        if amount is not None
        else _(
            "🤝 Recorded: payment in full of {invoice} promised for {date}. Reminders for it "
            "wait until then.",
            invoice=escape(args[0]),
            date=when,
        )
    )
    show_touched(deps, made.touched, f"the promise on {args[0]}", reply)
