"""`/relance dispute <invoice> <reason>`: reminders for the invoice stop until resolved; the
customer's cards and worklist rows show it at once (those it overtook stopped)."""

from __future__ import annotations

from typing import Any

from bot.rendering.staff_text import N_, _
from bot.services.accounts.disputes import open_dispute
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import need
from bot.slack.mrkdwn import escape
from bot.slack.touched_shown import show_touched

USAGE = N_("`/relance dispute <invoice> <reason>` — pause reminders for a disputed invoice")


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 2, USAGE)
    reason = " ".join(args[1:])
    touched = open_dispute(deps.runtime.engine, args[0], reason, command["user_id"])
    reply(
        _(
            "⚠️ Invoice {invoice} is disputed ({reason}); no reminder will mention it until "
            "`/relance resolve {invoice}`.",
            invoice=escape(args[0]),
            reason=escape(reason.strip()),
        )
    )
    show_touched(deps, touched, f"the dispute on {args[0]}", reply)
