"""`/relance pause <customer> [until]` and `/relance resume <customer>`: a pause shows at
once on the customer's cards and worklist rows (what it overtook stopped)."""

from __future__ import annotations

from typing import Any

from bot.rendering.locale import staff_date
from bot.rendering.staff_text import N_, _
from bot.services.accounts.pauses import pause, resume
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import a_date, need
from bot.slack.mrkdwn import escape
from bot.slack.touched_shown import show_touched

USAGE = N_("`/relance pause <customer> [YYYY-MM-DD]` — no reminders (until a date)")
RESUME_USAGE = N_("`/relance resume <customer>` — reminders again")


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 1, USAGE)
    until = None
    if len(args) > 1 and args[-1][:1].isdigit():
        until, args = a_date(args[-1]), args[:-1]
    customer, touched = pause(
        deps.runtime.engine, " ".join(args), command["user_id"], until, deps.today()
    )
    reply(
        _(
            "⏸️ Reminders to {customer} are paused until {date}.",
            customer=escape(customer.name),
            date=staff_date(until, deps.runtime.settings.locale),
        )
        if until
        else _(
            "⏸️ Reminders to {customer} are paused until someone resumes them.",
            customer=escape(customer.name),
        )
    )
    show_touched(deps, touched, f"the pause of {customer.name}", reply)


def run_resume(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 1, RESUME_USAGE)
    customer = resume(deps.runtime.engine, " ".join(args), command["user_id"])
    reply(
        _("▶️ Reminders to {customer} resume with the next digest.", customer=escape(customer.name))
    )
