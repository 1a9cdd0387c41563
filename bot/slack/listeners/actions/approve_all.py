"""*Approve all* for one stage (after Slack's confirmation dialog)."""

from __future__ import annotations

from datetime import date

from slack_bolt import Ack, App, Respond

from bot.domain.worklist import one_by_one
from bot.services import decisions
from bot.slack.deps import Deps
from bot.slack.ids import APPROVE_ALL, any_numbered


def register(app: App, deps: Deps) -> None:
    @app.action(any_numbered(APPROVE_ALL))
    def approve_all_clicked(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        day, stage = body["actions"][0]["value"].split("|", 1)

        def reply(text: str) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        def work() -> None:
            if not deps.approvers.may_decide(user):
                deps.refuse(user, "approve reminders", reply, {"stage": stage, "day": day})
                return
            if stage in one_by_one(*deps.runtime.policies()):
                reply(
                    f"{stage} reminders are final notices: approve them one by one, on each card."
                )
                return
            approved = decisions.approve_stage(
                deps.runtime.drafter(), date.fromisoformat(day), stage, user
            )
            deps.cards.refresh([r.id for r in approved], deps.today())
            reply(
                f"Approved {len(approved)} {stage} reminder(s)."
                if approved
                else f"No {stage} reminder was still waiting: others decided them first."
            )

        deps.later(work, f"approving all {stage} reminders of {day}", reply)
