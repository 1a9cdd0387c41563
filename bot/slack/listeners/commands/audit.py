"""`/relance audit <customer|invoice>`: the last events of the written record."""

from __future__ import annotations

from typing import Any

from bot.rendering.staff_text import N_, _
from bot.services.audit.export import last_events
from bot.slack.blocks.account import audit_blocks
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import need
from bot.slack.mrkdwn import escape

USAGE = N_("`/relance audit <customer or invoice>` — the last events of the audit trail")


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 1, USAGE)
    title, events = last_events(deps.runtime.engine, " ".join(args))
    reply(_("Audit trail of {title}", title=escape(title)), blocks=audit_blocks(title, events))
