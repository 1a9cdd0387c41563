"""*Approve all* for one stage (after Slack's confirmation dialog)."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.domain.worklist import by_phone, one_by_one, stage_titles
from bot.rendering.staff_text import N_, _, language, ngettext
from bot.services.reminders import decisions
from bot.slack.blocks.common import capped
from bot.slack.deps import Deps
from bot.slack.ids import APPROVE_ALL, any_numbered
from bot.slack.mrkdwn import escape, truncate


def bounced_note(bounced: list[tuple[str, str]], most: int = 10) -> str:
    """Who *Approve all* left out because their address bounced, by name."""
    if not bounced:
        return ""
    named = capped(
        [f"*{escape(name)}* ({escape(truncate(problem, 80))})" for name, problem in bounced],
        most,
        _("and {count} more"),
    )
    return "\n" + _(
        "Left out, their address bounced ({count}): {names}. Fix the address or call them; "
        "their cards are still waiting.",
        count=len(bounced),
        names=" · ".join(named),
    )


def register(app: App, deps: Deps) -> None:
    @app.action(any_numbered(APPROVE_ALL))
    def approve_all_clicked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        day, stage = body["actions"][0]["value"].split("|", 1)

        def reply(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        def work() -> None:
            if not deps.approvers.may_decide(user):
                deps.refuse(user, N_("approve reminders"), reply, {"stage": stage, "day": day})
                return
            policies = deps.runtime.policies()
            title = stage_titles(*policies, language=language()).get(stage, stage)
            if stage in one_by_one(*policies):
                reply(
                    _(
                        "“{stage}”: final notices are approved one by one, on each card.",
                        stage=title,
                    )
                )
                return
            if stage in by_phone(*policies):
                reply(
                    _(
                        "“{stage}”: a call is made and logged with *Log call* on its card, not "
                        "approved.",
                        stage=title,
                    )
                )
                return
            run_date = date.fromisoformat(day)
            approved = decisions.approve_stage(deps.runtime.drafter(), run_date, stage, user)
            deps.cards.refresh([r.id for r in approved], deps.today())
            bounced = decisions.bounced_in_stage(deps.runtime.engine, run_date, stage)
            reply(
                (
                    ngettext(
                        "Approved {count} reminder of the “{stage}” stage.",
                        "Approved {count} reminders of the “{stage}” stage.",
                        len(approved),
                        stage=title,
                    )
                    if approved
                    else _(
                        "No “{stage}” reminder was still waiting: others decided them first.",
                        stage=title,
                    )
                )
                + bounced_note(bounced)
            )

        deps.later(work, f"approving all {stage} reminders of {day}", reply)
