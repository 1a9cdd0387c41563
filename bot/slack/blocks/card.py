"""The approval card of one suggested reminder, and its state after a decision."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.aging import days_overdue
from bot.domain.policy import Stage
from bot.rendering.locale import money
from bot.services.decisions import POLICY
from bot.services.reminder_view import ReminderView
from bot.slack.blocks.common import (
    Block,
    actions,
    button,
    capped,
    context,
    section,
    slack_date,
)
from bot.slack.blocks.facts import flags, history_text, last_contact_text
from bot.slack.ids import APPROVE, EDIT, LEGAL_PART, LETTER, LOG_CALL, SKIP
from bot.slack.mrkdwn import escape, quote

CHANNEL_WORDS = {
    "email": "e-mail",
    "phone": "phone call",
    "letter": "letter",
    "none": "no message: a person decides",
}


def _why(view: ReminderView, today: date) -> str:
    """Why this stage today, and what a person weighs before it goes."""
    oldest = max((max(0, days_overdue(i.due_date, today)) for i in view.invoices), default=0)
    policy = f" (policy *{escape(view.segment)}*)" if view.segment else " (main policy)"
    parts = [
        f"*Why {escape(view.stage)}*{policy}: oldest invoice {oldest} days late",
        last_contact_text(view.facts),
        history_text(view.facts),
        *flags(view.facts, view.channel, view.phone),
    ]
    return " · ".join(part for part in parts if part)


def _who(decided_by: str) -> str:
    if decided_by == POLICY:
        return "the policy"
    return f"<@{escape(decided_by)}>" if decided_by else "someone"


def goes_unless_stopped(view: ReminderView) -> str:
    """What the policy will do with a suggestion nobody stops."""
    at = view.auto_at
    if at is None:
        return ""
    when = slack_date(int(at.timestamp()), at.strftime("%Y-%m-%d %H:%M UTC"))
    return f"⏱ Goes {when} unless someone skips or edits it first ({escape(view.auto_rule)})"


def _status(view: ReminderView) -> str:
    who = _who(view.decided_by)
    when = ""
    if view.decided_at:
        when = " " + slack_date(
            int(view.decided_at.timestamp()), view.decided_at.strftime("%Y-%m-%d %H:%M UTC")
        )
    if view.state == "approved":
        edited = " (edited)" if view.edited else ""
        return f"✅ Approved{edited} by {who}{when}" + _delivery(view)
    if view.state == "skipped":
        return f"⏭️ Skipped by {who}{when}: {escape(view.skip_reason) or 'no reason given'}"
    if view.state == "expired" and view.skip_reason:  # lapsed before it was written
        return f"⌛ Expired: {escape(view.skip_reason)}"
    if view.state == "expired":
        return "⌛ Expired: not decided on its day; today's digest has a fresh suggestion"
    if view.state == "cancelled" and view.skip_reason:  # stopped before it left
        return f"🚫 Not sent: {escape(view.skip_reason)}"
    if view.state == "cancelled":
        return "🚫 Cancelled: the invoices were paid"
    if view.state == "done":
        return f"📞 Call logged by {who}{when}"
    if view.state == "sent":
        return f"✅ Approved by {who}" + _delivery(view)
    return f"State: {escape(view.state)}"


def _delivery(view: ReminderView) -> str:
    if view.delivery == "sent":
        return " · 📬 sent"
    if view.delivery == "failed":
        return f" · ❗ sending failed after {view.attempts} attempts: {escape(view.delivery_error)}"
    if view.delivery == "pending":
        retry = f" (attempt {view.attempts + 1})" if view.attempts else ""
        return f" · ⏳ sending{retry}"
    return ""


def reminder_card(view: ReminderView, today: date, stage: Stage | None = None) -> list[Block]:
    """`stage` is the policy's stage of the reminder: its label and icon (None for a stage the
    policy no longer has, or a thank-you note: its name is shown)."""
    icon = f"{stage.icon} " if stage and stage.icon else ""
    label = stage.title if stage else view.stage
    totals = " + ".join(money(t, view.locale) for t in view.totals())
    invoices = capped(
        [
            f"`{escape(i.number)}` {money(i.balance, view.locale)}, "
            f"{max(0, days_overdue(i.due_date, today))} days late"
            for i in view.invoices
        ],
        8,
        "…and {count} more",
    )
    recipient = (
        f" to {escape(view.customer_email)}"
        if view.channel == "email" and view.customer_email
        else ""
    )
    blocks = [
        section(
            f"{icon}*{escape(view.customer_name)}* · {view.country} · {view.language}\n"
            f"*{escape(label)}* by {CHANNEL_WORDS.get(view.channel, view.channel)}"
            f"{recipient} · {len(view.invoices)} invoice(s) · total *{totals}*"
        ),
        context(" · ".join(invoices) or "no open invoice left"),
        context(_why(view, today)),
    ]
    if view.subject:  # an expired suggestion may never have been written
        blocks.append(section(f"*{escape(view.subject)}*\n{quote(view.body_text, 600)}"))
    if view.warnings:
        blocks.append(context("\n".join(f"⚠️ {escape(w)}" for w in view.warnings[:5])))
    if view.channel == "email" and view.send_after and view.state in ("suggested", "approved"):
        local = view.send_after.astimezone(ZoneInfo(view.timezone))
        if local.date() != today:
            blocks.insert(
                2,
                context(
                    f"🕘 Goes out in the customer's business hours: "
                    f"{local:%A %d %B, %H:%M} ({escape(view.timezone)})"
                ),
            )
    if view.stage_note:
        blocks.insert(2, context(f"⏩ {escape(view.stage_note)}"))
    if view.page_seen_at:
        seen = view.page_seen_at
        blocks.append(
            context(
                f"👀 Customer page seen <!date^{int(seen.timestamp())}^{{ago}}|"
                f"{seen:%Y-%m-%d %H:%M} UTC>"
            )
        )
    if view.email_problem:
        blocks.insert(2, context(f"❗ E-mail failing: {escape(view.email_problem)}"))
    value = str(view.id)
    if view.state == "suggested":
        buttons = [
            button("Approve", APPROVE, value, style="primary"),
            button("Edit", EDIT, value),
            button("Skip", SKIP, value),
        ]
        if view.channel == "phone":
            buttons = [
                button("Log call", LOG_CALL, value, style="primary"),
                button("Skip", SKIP, value),
            ]
        if view.has_letter:
            buttons += [
                button("Letter (PDF)", LETTER, value),
                button("Legal part", LEGAL_PART, value),
            ]
        blocks.append(actions(f"reminder_{view.id}", *buttons))
        if view.auto_at is not None:
            blocks.append(context(goes_unless_stopped(view)))
    else:
        blocks.append(context(_status(view)))
        later = []
        if view.channel == "phone" and view.state == "approved":
            later.append(button("Log call", LOG_CALL, value))
        if view.has_letter:
            later += [
                button("Letter (PDF)", LETTER, value),
                button("Legal part", LEGAL_PART, value),
            ]
        if later:
            blocks.append(actions(f"reminder_{view.id}", *later))
    return blocks


def card_fallback(view: ReminderView, stage: Stage | None = None) -> str:
    """The plain text of the card's notification."""
    label = stage.title if stage else view.stage
    return f"{escape(label)} for {escape(view.customer_name)}: {view.state}"
