"""Ephemeral answers: a customer's account, and the last audit events."""

from __future__ import annotations

from bot.rendering.locale import staff_date
from bot.rendering.staff_text import _, ngettext
from bot.services.accounts.account import ContactLine, CustomerAccount, InvoiceState
from bot.services.audit.export import EventLine
from bot.services.cash.totals import AppliedPayment
from bot.slack.blocks.common import Block, capped, context, header, line_sections, section
from bot.slack.blocks.facts import CONTACT_WORDS
from bot.slack.mrkdwn import escape, truncate


def account_blocks(account: CustomerAccount, locale: str) -> list[Block]:
    c = account.customer
    balance = " + ".join(m.format(locale) for m in account.balances()) or _("nothing open")
    paused = ""
    if c.paused:
        paused = " · " + (
            _("⏸️ paused until {date}", date=staff_date(c.paused_until, locale))
            if c.paused_until
            else _("⏸️ paused")
        )
    lines = [_invoice_line(i, locale) for i in account.invoices]
    contacts = [_contact_line(x) for x in account.contacts]
    payments = [_payment_line(p, locale) for p in account.payments]
    return [
        header(truncate(escape(c.name), 150)),
        section(
            _("*Balance* {balance}", balance=balance)
            + f"{paused}\n{escape(c.contact_name)} · "
            + " · ".join(
                [
                    escape(c.email) or _("no e-mail"),
                    escape(c.phone) or _("no phone"),
                    c.country,
                    c.language,
                ]
            )
        ),
        *line_sections(
            capped(lines, 25, _("…and {count} more open invoices")), empty=_("No open invoice.")
        ),
        section(_("*Last contacts*")),
        *line_sections(contacts, empty=_("No contact recorded yet.")),
        *([section(_("*Bank payments*")), *line_sections(payments, empty="")] if payments else []),
    ]


def _invoice_line(i: InvoiceState, locale: str) -> str:
    notes = []
    if i.disputed:
        notes.append(_("⚠️ disputed: {reason}", reason=escape(i.disputed)))
    if i.promised:
        notes.append(_("🤝 promised for {date}", date=staff_date(i.promised, locale)))
    late = (
        ngettext("{count} day late", "{count} days late", i.days_late)
        if i.days_late
        else _("not yet due")
    )
    return (
        f"• `{escape(i.number)}` {i.balance.format(locale)}, "
        + _("due {date} ({late})", date=staff_date(i.due_date, locale), late=late)
        + (" — " + "; ".join(notes) if notes else "")
    )


def _contact_line(x: ContactLine) -> str:
    return (
        f"• {x.when:%Y-%m-%d} "
        + (_(CONTACT_WORDS[x.channel]) if x.channel in CONTACT_WORDS else x.channel)
        + (f" ({x.stage})" if x.stage else "")
        + (f": {x.outcome}" if x.outcome else "")
        + (_(" by <@{user}>", user=escape(x.actor)) if x.actor.startswith("U") else "")
    )


def _payment_line(p: AppliedPayment, locale: str) -> str:
    return (
        f"• {p.applied_at:%Y-%m-%d} `{escape(p.number)}` {p.amount.format(locale)} by bank "
        + (
            f"transfer, applied by <@{escape(p.decided_by)}>"
            if p.decided_by.startswith("U")
            else "transfer"
        )
        + (" — reversed by the bank" if p.undone else "")
    )


def _event_line(event: EventLine) -> str:
    content = event.content
    detail = ", ".join(
        f"{k}: {v}"
        for k, v in content.items()
        if k
        in (
            "stage",
            "subject",
            "reason",
            "outcome",
            "date",
            "amount",
            "received",
            "error",
            "to",
            "until",
        )
    )
    who = f"<@{escape(event.actor)}>" if event.actor.startswith("U") else escape(event.actor)
    return truncate(
        f"• `#{event.seq}` {event.occurred_at:%Y-%m-%d %H:%M} UTC · *{event.kind}*"
        f" · {who}" + (f" — {escape(detail)}" if detail else ""),
        500,
    )


def audit_blocks(title: str, events: list[EventLine]) -> list[Block]:
    return [
        section(_("*Audit trail — {title}* (latest first)", title=escape(title))),
        *line_sections([_event_line(e) for e in events], empty=_("Nothing recorded yet.")),
        context(_("The full record, hash-chained: `relance audit export --format csv`.")),
    ]
