"""`/relance dispute <invoice> <reason>`: reminders for the invoice stop until resolved."""

from __future__ import annotations

from bot.services.disputes import open_dispute
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import need
from bot.slack.mrkdwn import escape

USAGE = "`/relance dispute <invoice> <reason>` — pause reminders for a disputed invoice"


def run(deps: Deps, args: list[str], command: dict, reply: Reply) -> None:
    need(args, 2, USAGE)
    dispute = open_dispute(deps.runtime.engine, args[0], " ".join(args[1:]), command["user_id"])
    reply(
        f"⚠️ Invoice {escape(args[0])} is disputed ({escape(dispute.reason)}); no reminder will "
        f"mention it until `/relance resolve {escape(args[0])}`."
    )
