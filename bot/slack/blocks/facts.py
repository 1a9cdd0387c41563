"""The facts that explain a reminder, worded once for the card and the Home's rows: the last
contact and its outcome, and what holds (promise, dispute, plan), the number to call."""

from __future__ import annotations

from bot.services.worklists import CustomerFacts
from bot.slack.blocks.common import slack_date
from bot.slack.mrkdwn import escape


def last_contact_text(facts: CustomerFacts) -> str:
    last = facts.last_contact
    if last is None:
        return "No contact yet"
    what = " ".join(filter(None, [last.channel, f"({last.stage})" if last.stage else ""]))
    outcome = f" — {escape(last.outcome)}" if last.outcome else ""
    when = slack_date(int(last.day.timestamp()), last.day.date().isoformat())
    return f"Last contact {when} {what}{outcome}"


def history_text(facts: CustomerFacts) -> str:
    """The stages already sent, oldest first: why the ladder stands where it does."""
    if not facts.history:
        return ""
    return "sent before: " + " → ".join(escape(stage) for stage in facts.history)


def flags(facts: CustomerFacts, channel: str, phone: str) -> list[str]:
    shown = [
        flag
        for flag, on in (
            ("🤝 promise to pay", facts.promised),
            ("⚖️ dispute open", facts.disputed),
            ("📅 on a payment plan", facts.on_plan),
        )
        if on
    ]
    if channel == "phone" and phone:
        shown.append(f"📞 {escape(phone)}")
    return shown
