"""`/relance log-call <customer> [outcome]`: opens the call form for that customer."""

from __future__ import annotations

from bot.db import read_only
from bot.services.lookup import find_customer
from bot.slack.blocks.modals import log_call_modal
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import need

USAGE = "`/relance log-call <customer> [reached|voicemail|no_answer|wrong_number]` — log a call"


def run(deps: Deps, args: list[str], command: dict, reply: Reply) -> None:
    need(args, 1, USAGE)
    outcome = None
    if len(args) > 1 and args[-1].lower().replace("-", "_") in (
        "reached",
        "voicemail",
        "no_answer",
        "wrong_number",
    ):
        outcome, args = args[-1].lower().replace("-", "_"), args[:-1]
    with read_only(deps.runtime.engine) as session:
        customer = find_customer(session, " ".join(args))
    deps.client.views_open(
        trigger_id=command["trigger_id"],
        view=log_call_modal(customer.name, customer.external_id, None, outcome),
    )
