"""The approval card of one suggested reminder, and its state after a decision."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.domain.aging import days_overdue
from bot.domain.policy import Stage
from bot.domain.states import OutboxState, ReminderState
from bot.rendering.locale import money
from bot.rendering.staff_text import N_, _, language, ngettext, say
from bot.services.overview.reminder_view import ReminderView
from bot.services.reminders.decisions import POLICY
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
    "email": N_("e-mail"),
    "phone": N_("phone call"),
    "letter": N_("letter"),
    "none": N_("no message: a person decides"),
}


def _why(view: ReminderView, today: date, stage_title: str, titles: Mapping[str, str]) -> str:
    """Why this stage today, and what a person weighs before it goes."""
    oldest = max((max(0, days_overdue(i.due_date, today)) for i in view.invoices), default=0)
    policy = (
        _(" (policy *{segment}*)", segment=escape(view.segment))
        if view.segment
        else _(" (main policy)")
    )
    parts = [
        _("*Why {stage}*{policy}: ", stage=escape(stage_title), policy=policy)
        + ngettext("oldest invoice {count} day late", "oldest invoice {count} days late", oldest),
        last_contact_text(view.facts, titles),
        history_text(view.facts, titles),
        *flags(view.facts, view.channel, view.phone),
    ]
    return " · ".join(part for part in parts if part)


def _who(decided_by: str) -> str:
    if decided_by == POLICY:
        return _("the policy")
    return f"<@{escape(decided_by)}>" if decided_by else _("someone")


def goes_unless_stopped(view: ReminderView) -> str:
    """What the policy will do with a suggestion nobody stops."""
    at = view.auto_at
    if at is None:
        return ""
    when = slack_date(int(at.timestamp()), at.strftime("%Y-%m-%d %H:%M UTC"))
    return _(
        "⏱ Goes {when} unless someone skips or edits it first ({rule})",
        when=when,
        rule=escape(view.auto_rule),
    )


def _status(view: ReminderView) -> str:
    who = _who(view.decided_by)
    when = ""
    if view.decided_at:
        when = " " + slack_date(
            int(view.decided_at.timestamp()), view.decided_at.strftime("%Y-%m-%d %H:%M UTC")
        )
    if view.state == ReminderState.APPROVED:
        if view.edited:
            return _("✅ Approved (edited) by {who}{when}", who=who, when=when) + _delivery(view)
        return _("✅ Approved by {who}{when}", who=who, when=when) + _delivery(view)
    if view.state == ReminderState.SKIPPED:
        return _(
            "⏭️ Skipped by {who}{when}: {reason}",
            who=who,
            when=when,
            reason=escape(say(view.skip_reason)) if view.skip_reason else _("no reason given"),
        )
    if view.state == ReminderState.EXPIRED and view.skip_reason:  # lapsed before it was written
        return _("⌛ Expired: {reason}", reason=escape(say(view.skip_reason)))
    if view.state == ReminderState.EXPIRED:
        return _("⌛ Expired: not decided on its day; today's digest has a fresh suggestion")
    if view.state == ReminderState.CANCELLED and view.skip_reason:  # stopped before it left
        return _("🚫 Not sent: {reason}", reason=escape(say(view.skip_reason)))
    if view.state == ReminderState.CANCELLED:
        return _("🚫 Cancelled: the invoices were paid")
    if view.state == ReminderState.DONE:
        return _("📞 Call logged by {who}{when}", who=who, when=when)
    if view.state == ReminderState.SENT:
        return _("✅ Approved by {who}{when}", who=who, when="") + _delivery(view)
    return _("State: {state}", state=escape(view.state))


def _delivery(view: ReminderView) -> str:
    if view.delivery == OutboxState.SENT:
        return _(" · 📬 sent")
    if view.delivery == OutboxState.FAILED:
        return ngettext(
            " · ❗ sending failed after {count} attempt: {error}",
            " · ❗ sending failed after {count} attempts: {error}",
            view.attempts,
            error=escape(view.delivery_error),
        )
    if view.delivery == OutboxState.PENDING:
        if view.attempts:
            return _(" · ⏳ sending (attempt {number})", number=view.attempts + 1)
        return _(" · ⏳ sending")
    return ""


def reminder_card(
    view: ReminderView,
    today: date,
    stage: Stage | None = None,
    titles: Mapping[str, str] = MappingProxyType({}),
) -> list[Block]:
    """`stage` is the policy's stage of the reminder: its label and icon (None for a stage the
    policy no longer has, or a thank-you note: its name is shown); `titles`, each stage key's
    label, for the stages sent before."""
    label = stage.title_in(language()) if stage else view.stage
    invoices = capped(
        [
            f"`{escape(i.number)}` {money(i.balance, view.locale)}, "
            + ngettext(
                "{count} day late", "{count} days late", max(0, days_overdue(i.due_date, today))
            )
            for i in view.invoices
        ],
        8,
        _("…and {count} more"),
    )
    return [
        section(_headline(view, stage, label)),
        context(" · ".join(invoices) or _("no open invoice left")),
        *_notes(view, today),
        context(_why(view, today, label, titles)),
        *_message(view),
        *_controls(view),
    ]


def _headline(view: ReminderView, stage: Stage | None, label: str) -> str:
    """Who, the stage, by which channel to whom, and how much."""
    icon = f"{stage.icon} " if stage and stage.icon else ""
    totals = " + ".join(money(t, view.locale) for t in view.totals())
    recipient = (
        _(" to {address}", address=escape(view.customer_email))
        if view.channel == "email" and view.customer_email
        else ""
    )
    channel = _(CHANNEL_WORDS[view.channel]) if view.channel in CHANNEL_WORDS else view.channel
    return (
        f"{icon}*{escape(view.customer_name)}* · {view.country} · {view.language}\n"
        + _(
            "*{stage}* by {channel}{recipient}",
            stage=escape(label),
            channel=channel,
            recipient=recipient,
        )
        + " · "
        + ngettext("{count} invoice", "{count} invoices", len(view.invoices))
        + " · "
        + _("total *{totals}*", totals=totals)
    )


def _notes(view: ReminderView, today: date) -> list[Block]:
    """What to know before deciding: a failing address, why the ladder starts high, and a send
    on another day (the customer's business hours)."""
    notes: list[Block] = []
    if view.email_problem:
        notes.append(context(_("❗ E-mail failing: {problem}", problem=escape(view.email_problem))))
    if view.stage_note:
        notes.append(context(f"⏩ {escape(view.stage_note)}"))
    if (
        view.channel == "email"
        and view.send_after
        and view.state in (ReminderState.SUGGESTED, ReminderState.APPROVED)
    ):
        local = view.send_after.astimezone(ZoneInfo(view.timezone))
        if local.date() != today:
            notes.append(
                context(
                    _(
                        "🕘 Goes out in the customer's business hours: {when} ({zone})",
                        when=f"{format_date(local, 'EEEE dd MMMM', language())}, {local:%H:%M}",
                        zone=escape(view.timezone),
                    )
                )
            )
    return notes


def _message(view: ReminderView) -> list[Block]:
    """The message itself, its warnings, and whether the customer saw their page."""
    blocks: list[Block] = []
    if view.subject:  # an expired suggestion may never have been written
        blocks.append(section(f"*{escape(view.subject)}*\n{quote(view.body_text, 600)}"))
    if view.warnings:
        blocks.append(context("\n".join(f"⚠️ {escape(w)}" for w in view.warnings[:5])))
    if view.page_seen_at:
        seen = view.page_seen_at
        blocks.append(
            context(
                _(
                    "👀 Customer page seen {when}",
                    when=f"<!date^{int(seen.timestamp())}^{{ago}}|{seen:%Y-%m-%d %H:%M} UTC>",
                )
            )
        )
    return blocks


def _controls(view: ReminderView) -> list[Block]:
    """A suggestion's buttons (and when it goes by itself), or a decided card's status with
    what is left to do."""
    value = str(view.id)
    letter = (
        [button(_("Letter (PDF)"), LETTER, value), button(_("Legal part"), LEGAL_PART, value)]
        if view.has_letter
        else []
    )
    if view.state != ReminderState.SUGGESTED:
        call = view.channel == "phone" and view.state == ReminderState.APPROVED
        later = [*([button(_("Log call"), LOG_CALL, value)] if call else []), *letter]
        status = [context(_status(view))]
        return [*status, actions(f"reminder_{view.id}", *later)] if later else status
    if view.channel == "phone":
        buttons = [
            button(_("Log call"), LOG_CALL, value, style="primary"),
            button(_("Skip"), SKIP, value),
        ]
    else:
        buttons = [
            button(_("Approve"), APPROVE, value, style="primary"),
            button(_("Edit"), EDIT, value),
            button(_("Skip"), SKIP, value),
        ]
    blocks = [actions(f"reminder_{view.id}", *buttons, *letter)]
    if view.auto_at is not None:
        blocks.append(context(goes_unless_stopped(view)))
    return blocks


def card_fallback(view: ReminderView, stage: Stage | None = None) -> str:
    """The plain text of the card's notification."""
    label = stage.title_in(language()) if stage else view.stage
    return _(FALLBACKS[view.state], stage=escape(label), customer=escape(view.customer_name))


#: a reminder's state as its notification says it
FALLBACKS = {
    ReminderState.SUGGESTED: N_("{stage} for {customer}: suggested"),
    ReminderState.APPROVED: N_("{stage} for {customer}: approved"),
    ReminderState.SKIPPED: N_("{stage} for {customer}: skipped"),
    ReminderState.EXPIRED: N_("{stage} for {customer}: expired"),
    ReminderState.CANCELLED: N_("{stage} for {customer}: cancelled"),
    ReminderState.DONE: N_("{stage} for {customer}: done"),
    ReminderState.SENT: N_("{stage} for {customer}: sent"),
}
