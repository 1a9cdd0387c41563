"""*Approve all* for one stage (after Slack's confirmation dialog)."""

from __future__ import annotations

from datetime import date

from slack_bolt import Ack, App, Respond

from bot.domain.policy import stages_by_name
from bot.domain.worklist import one_by_one
from bot.rendering.staff_text import N_, _, language, ngettext
from bot.services import decisions
from bot.slack.deps import Deps
from bot.slack.ids import APPROVE_ALL


def register(app: App, deps: Deps) -> None:
    @app.action(APPROVE_ALL)
    def approve_all_clicked(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        day, stage = body["actions"][0]["value"].split("|", 1)

        def reply(text: str) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        def work() -> None:
            if not deps.approvers.may_decide(user):
                deps.refuse(user, N_("approve reminders"), reply, {"stage": stage, "day": day})
                return
            known = stages_by_name(*deps.runtime.policies()).get(stage)
            label = known.title_in(language()) if known else stage
            if stage in one_by_one(*deps.runtime.policies()):
                reply(
                    _(
                        "“{stage}” reminders are final notices: approve them one by one, on each "
                        "card.",
                        stage=label,
                    )
                )
                return
            approved = decisions.approve_stage(
                deps.runtime.drafter(), date.fromisoformat(day), stage, user
            )
            deps.cards.refresh([r.id for r in approved], deps.today())
            reply(
                ngettext(
                    "Approved {count} reminder “{stage}”.",
                    "Approved {count} reminders “{stage}”.",
                    len(approved),
                    stage=label,
                )
                if approved
                else _(
                    "No reminder “{stage}” was still waiting: others decided them first.",
                    stage=label,
                )
            )

        deps.later(work, f"approving all {stage} reminders of {day}", reply)
