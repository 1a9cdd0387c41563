"""The facts that explain a reminder, worded once for the card and the Home's rows: the last
contact and its outcome, what holds (promise, dispute, plan), replies waiting to be read, a
failing address, the number to call."""

from __future__ import annotations

from collections.abc import Mapping

from bot.rendering.staff_text import N_, _, ngettext
from bot.services.overview.worklists import CustomerFacts
from bot.slack.blocks.common import slack_date
from bot.slack.mrkdwn import escape, truncate

#: how a contact's channel reads in "Last contact …"
CONTACT_WORDS = {"email": N_("e-mail"), "phone": N_("phone"), "letter": N_("letter")}


def last_contact_text(facts: CustomerFacts, titles: Mapping[str, str]) -> str:
    """`titles`: each stage key's label for staff (`stage_titles`)."""
    last = facts.last_contact
    if last is None:
        return _("No contact yet")
    channel = _(CONTACT_WORDS[last.channel]) if last.channel in CONTACT_WORDS else last.channel
    what = " ".join(
        filter(None, [channel, f"({titles.get(last.stage, last.stage)})" if last.stage else ""])
    )
    outcome = f" — {escape(last.outcome)}" if last.outcome else ""
    when = slack_date(int(last.day.timestamp()), last.day.date().isoformat())
    return _("Last contact {when} {what}{outcome}", when=when, what=what, outcome=outcome)


def history_text(facts: CustomerFacts, titles: Mapping[str, str]) -> str:
    """The stages already sent, oldest first: why the ladder stands where it does."""
    if not facts.history:
        return ""
    shown = (escape(titles.get(stage, stage)) for stage in facts.history)
    return _("sent before: {stages}", stages=" → ".join(shown))


def flags(facts: CustomerFacts, channel: str, phone: str, email_problem: str = "") -> list[str]:
    """Short flags for what holds or needs reading first; `email_problem` for a row that has no
    room for the card's own line about it."""
    shown = [
        flag
        for flag, on in (
            (_("🤝 promise to pay"), facts.promised),
            (_("⚖️ dispute open"), facts.disputed),
            (_("📅 on a payment plan"), facts.on_plan),
        )
        if on
    ]
    if facts.replies_waiting:
        shown.append(
            ngettext(
                "💬 {count} reply waiting", "💬 {count} replies waiting", facts.replies_waiting
            )
        )
    if email_problem:
        shown.append(_("❗ e-mail failing: {problem}", problem=escape(truncate(email_problem, 80))))
    if channel == "phone" and phone:
        shown.append(f"📞 {escape(phone)}")
    return shown
