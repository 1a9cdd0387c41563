"""`/relance resolve <invoice> [note]`: the dispute is settled; reminders may resume."""

from __future__ import annotations

from typing import Any

from bot.rendering.staff_text import N_, _
from bot.services.accounts.disputes import resolve_dispute
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import need
from bot.slack.mrkdwn import escape

USAGE = N_("`/relance resolve <invoice> [note]` — close a dispute")


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 1, USAGE)
    resolve_dispute(deps.runtime.engine, args[0], command["user_id"], " ".join(args[1:]))
    reply(
        _(
            "✅ The dispute on {invoice} is resolved; the invoice is chased again.",
            invoice=escape(args[0]),
        )
    )
