"""The facts that explain a reminder, worded once for the card and the Home's rows: the last
contact and its outcome, what holds (promise, dispute, plan), replies waiting to be read, a
failing address, the number to call."""

from __future__ import annotations

from bot.services.worklists import CustomerFacts
from bot.slack.blocks.common import slack_date
from bot.slack.mrkdwn import escape, truncate


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


def flags(facts: CustomerFacts, channel: str, phone: str, email_problem: str = "") -> list[str]:
    """Short flags for what holds or needs reading first; `email_problem` for a row that has no
    room for the card's own line about it."""
    shown = [
        flag
        for flag, on in (
            ("🤝 promise to pay", facts.promised),
            ("⚖️ dispute open", facts.disputed),
            ("📅 on a payment plan", facts.on_plan),
        )
        if on
    ]
    if facts.replies_waiting:
        many = facts.replies_waiting > 1
        shown.append(f"💬 {facts.replies_waiting} repl{'ies' if many else 'y'} waiting")
    if email_problem:
        shown.append(f"❗ e-mail failing: {escape(truncate(email_problem, 80))}")
    if channel == "phone" and phone:
        shown.append(f"📞 {escape(phone)}")
    return shown
