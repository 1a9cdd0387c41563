"""`/relance customer <name>`: the account at a glance, for the person who asked."""

from __future__ import annotations

from typing import Any

from bot.rendering.staff_text import N_, _
from bot.services.accounts.account import account
from bot.services.page import page_links
from bot.slack.blocks.account import account_blocks
from bot.slack.blocks.page_news import new_link_button
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import need
from bot.slack.mrkdwn import escape

USAGE = N_("`/relance customer <name or id>` — balance, invoices, promises, disputes, contacts")


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 1, USAGE)
    found = account(deps.runtime.engine, " ".join(args), deps.today())
    blocks = account_blocks(found, deps.runtime.settings.locale)
    if page_links.enabled(deps.runtime.settings):
        blocks.append(new_link_button(found.customer.external_id))
    reply(_("Account of {customer}", customer=escape(found.customer.name)), blocks=blocks)
