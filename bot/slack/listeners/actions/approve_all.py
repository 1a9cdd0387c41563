"""*Approve all* for one stage (after Slack's confirmation dialog)."""

from __future__ import annotations

from datetime import date

from slack_bolt import App

from bot.services import decisions
from bot.slack.access import Role
from bot.slack.deps import Deps
from bot.slack.ids import APPROVE_ALL
from bot.slack.permissions import Action, on_action


def _stage_and_day(body: dict) -> dict[str, str]:
    day, stage = body["actions"][0]["value"].split("|", 1)
    return {"stage": stage, "day": day}


def register(app: App, deps: Deps) -> None:
    @on_action(
        app, deps, APPROVE_ALL, role=Role.APPROVER, what="approve reminders", detail=_stage_and_day
    )
    def approve_all_clicked(action: Action) -> None:
        day, stage = action.value.split("|", 1)

        def work() -> None:
            approved = decisions.approve_stage(
                deps.runtime.engine, date.fromisoformat(day), stage, action.user
            )
            deps.cards.refresh([r.id for r in approved], deps.today())
            action.reply(
                f"Approved {len(approved)} {stage} reminder(s)."
                if approved
                else f"No {stage} reminder was still waiting: others decided them first."
            )

        deps.later(work, f"approving all {stage} reminders of {day}")
