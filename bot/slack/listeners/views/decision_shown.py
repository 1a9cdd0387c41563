"""What a modal's decision (edit and approve, skip) shows afterwards: the person who lost the
race to someone else is told who decided first, and the card is re-rendered either way (or,
for a reminder that lives only on a worklist, the decider's Home)."""

from __future__ import annotations

from bot.services.reminders.decisions import Decided
from bot.slack.deps import Deps
from bot.slack.home_publisher import publish_home
from bot.slack.listeners.actions.approve import already_decided_text


def show_decision(
    deps: Deps, user: str, result: Decided, lost_note: str = "", won_note: str = ""
) -> None:
    """`won_note` is told to the person whose decision was applied (what became of a letter)."""
    reminder = result.reminder
    if not result.won and reminder.slack_channel:
        deps.client.chat_postEphemeral(
            channel=reminder.slack_channel,
            user=user,
            text=already_decided_text(reminder.state, reminder.decided_by) + lost_note,
        )
    elif won_note and reminder.slack_channel:
        deps.client.chat_postEphemeral(channel=reminder.slack_channel, user=user, text=won_note)
    deps.cards.refresh([reminder.id], deps.today())
    if not reminder.slack_ts:  # no card: it was decided from a worklist, which shows it gone
        publish_home(deps, user)
