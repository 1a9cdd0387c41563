"""`/relance log-call <customer> [outcome]`: opens the call form for that customer."""

from __future__ import annotations

from typing import Any

from bot.domain.calls import outcome_key
from bot.rendering.staff_text import N_
from bot.services.accounts.calls import call_form
from bot.slack.blocks.modals import log_call_modal
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import need

USAGE = N_("`/relance log-call <customer> [{outcomes}]` — log a call")


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 1, USAGE)
    outcome = outcome_key(args[-1]) if len(args) > 1 else None
    if outcome is not None:
        args = args[:-1]
    form = call_form(deps.runtime.engine, customer_query=" ".join(args), outcome=outcome)
    deps.client.views_open(
        trigger_id=command["trigger_id"],
        view=log_call_modal(form.customer, form.customer_ref, None, form.outcome),
    )
