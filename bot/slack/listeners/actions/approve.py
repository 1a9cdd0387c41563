"""*Approve* on a card: exactly once, whoever clicks first; the others are told who did."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltRequest, Respond

from bot.services import decisions
from bot.slack.blocks.card import APPROVE
from bot.slack.deps import Deps, is_retry

VERBS = {"approved": "approved", "skipped": "skipped", "expired": "expired",
         "cancelled": "cancelled"}


def already_decided_text(state: str, decided_by: str) -> str:
    verb = VERBS.get(state, state)
    who = f" by <@{decided_by}>" if decided_by else ""
    return f"This reminder was already {verb}{who}."


def register(app: App, deps: Deps) -> None:
    @app.action(APPROVE)
    def approve_clicked(ack: Ack, body: dict, respond: Respond, request: BoltRequest) -> None:
        ack()
        user = body["user"]["id"]
        reminder_id = int(body["actions"][0]["value"])
        retry = is_retry(request.headers)

        def reply(text: str) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        def work() -> None:
            if not deps.approvers.may_decide(user):
                deps.refuse(user, "approve reminders", reply, {"reminder": reminder_id})
                return
            result = decisions.approve(deps.runtime.engine, reminder_id, user)
            if not result.won:
                mine = result.reminder.decided_by == user and result.reminder.state == "approved"
                if not (mine and retry):
                    reply(already_decided_text(result.reminder.state,
                                               result.reminder.decided_by))
            deps.cards.refresh([reminder_id], deps.today())

        deps.later(work, f"approving reminder {reminder_id}")
