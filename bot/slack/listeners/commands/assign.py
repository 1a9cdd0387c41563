"""`/relance assign <customer> <@person>`: who chases this customer from now on."""

from __future__ import annotations

from typing import Any

from bot.rendering.staff_text import N_, _, ngettext
from bot.services.accounts.owners import assign
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import need
from bot.slack.mrkdwn import escape

USAGE = N_("`/relance assign <customer> <@person>` — who chases this customer")


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 2, USAGE)
    done = assign(
        deps.runtime.engine, " ".join(args[:-1]), args[-1], command["user_id"], deps.today()
    )
    moved = (
        " "
        + ngettext(
            "{count} reminder of today moved to their worklist.",
            "{count} reminders of today moved to their worklist.",
            done.moved,
        )
        if done.moved
        else ""
    )
    reply(
        _("👤 <@{owner}> now chases {customer}.", owner=done.owner, customer=escape(done.customer))
        + moved
    )
