"""*Approve* on a card: exactly once, whoever clicks first; the others are told who did."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.states import ReminderState
from bot.rendering.staff_text import N_, _
from bot.services.reminders import decisions
from bot.slack.deps import Deps
from bot.slack.ids import APPROVE
from bot.slack.listeners.actions.card_click import Click, on_card_click

VERBS = {
    ReminderState.APPROVED: N_("This reminder was already approved{who}."),
    ReminderState.SKIPPED: N_("This reminder was already skipped{who}."),
    ReminderState.EXPIRED: N_("This reminder was already expired{who}."),
    ReminderState.CANCELLED: N_("This reminder was already cancelled{who}."),
    ReminderState.SENT: N_("This reminder was already sent{who}."),
    ReminderState.DONE: N_("This reminder's call was already logged{who}."),
    ReminderState.SUGGESTED: N_("This reminder is still awaiting a decision."),
}


def already_decided_text(state: ReminderState, decided_by: str) -> str:
    who = _(" by <@{user}>", user=decided_by) if decided_by else ""
    return _(VERBS[state], who=who)


def register(app: App, deps: Deps) -> None:
    @on_card_click(app, deps, APPROVE, N_("approve reminders"), later="approving reminder")
    def approve_clicked(click: Click) -> None:
        result = decisions.approve(deps.runtime.drafter(), click.reminder_id, click.user)
        reminder = result.reminder
        # Losing to one's own earlier click stays silent: Slack's resends of a click may be
        # handled before the original, and the card already says who approved.
        mine = reminder.decided_by == click.user and reminder.state == ReminderState.APPROVED
        if not (result.won or mine):
            click.reply(already_decided_text(reminder.state, reminder.decided_by))
        deps.cards.refresh([click.reminder_id], deps.today())
