"""`/relance plan <customer> <instalments> [first date]`: instalments within the limits of
the customer's policy; beyond them only a lead may agree the plan. An agreed plan shows at
once on the customer's cards and worklist rows (what it overtook stopped), and the confirmation
to the customer is posted for approval at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.rendering.locale import staff_date
from bot.rendering.staff_text import N_, _, speaking
from bot.services.accounts.plan_notices import card_target
from bot.services.accounts.plans import propose_plan
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands.args import a_date, need, usage_text
from bot.slack.mrkdwn import escape
from bot.slack.touched_shown import show_touched

USAGE = N_("`/relance plan <customer> <instalments> [YYYY-MM-DD]` — agree a payment plan")


def run(deps: Deps, args: list[str], command: dict[str, Any], reply: Reply) -> None:
    need(args, 2, USAGE)
    first = None
    if args[-1][:1].isdigit() and "-" in args[-1]:
        first, args = a_date(args[-1]), args[:-1]
    need(args, 2, USAGE)
    if not (args[-1].isascii() and args[-1].isdigit() and len(args[-1]) <= 9):
        reply(_("⚠️ How many instalments? Usage: {usage}", usage=usage_text(USAGE)))
        return
    user = command["user_id"]
    outcome = propose_plan(
        deps.runtime.engine,
        " ".join(args[:-1]),
        int(args[-1]),
        first,
        user,
        deps.approvers.is_lead(user),
        deps.runtime.governing(),
        deps.today(),
        deps.runtime.composer,
    )
    lines = "\n".join(
        f"• {staff_date(d, deps.runtime.settings.locale)}: {m.format(deps.runtime.settings.locale)}"
        for d, m in outcome.instalments
    )
    if not outcome.accepted:
        _refused(deps, outcome.breaches, lines, reply)
        return
    beyond = (
        _(
            " (beyond the limits, agreed by a lead: {breaches})",
            breaches="; ".join(outcome.breaches),
        )
        if outcome.breaches
        else ""
    )
    told = (
        "\n✉️ " + _("The confirmation with this schedule awaits approval on your worklist.")
        if outcome.confirmation is not None
        else ""
    )
    reply(
        _(
            "📅 Plan agreed with {customer}{beyond}. Reminders wait while it is kept:",
            customer=escape(outcome.customer),
            beyond=beyond,
        )
        + f"\n{lines}{told}"
    )
    show_touched(deps, outcome.touched, f"the plan agreed with {outcome.customer}", reply)
    if outcome.confirmation is not None:
        confirmation = outcome.confirmation
        deps.later(lambda: post_confirmation(deps, confirmation), "posting a plan's confirmation")


def _refused(deps: Deps, breaches: Sequence[str], lines: str, reply: Reply) -> None:
    """A plan beyond the limits, asked by someone who is not a lead: who may agree it."""
    leads = ", ".join(f"<@{u}>" for u in deps.runtime.settings.leads) or _("a finance lead")
    reply(
        _(
            "✋ This plan goes beyond the limits ({breaches}): only {leads} may agree it. "
            "Nothing was set up.",
            breaches="; ".join(breaches),
            leads=leads,
        )
        + f"\n{lines}"
    )


def post_confirmation(deps: Deps, reminder_id: int) -> None:
    """The confirmation's card at once where the customer's news go, so it is approved while
    the customer still has the plan in mind, not at the next digest (which then skips it)."""
    settings = deps.runtime.settings
    target = card_target(deps.runtime.engine, reminder_id, settings.digest_channel)
    if target is not None:
        with speaking(settings.locale):
            deps.cards.post_now(reminder_id, deps.today(), target.channel, target.thread_ts)
