"""Ephemeral answers: a customer's account, and the last audit events."""

from __future__ import annotations

from bot.rendering.locale import staff_date
from bot.services.account import CustomerAccount
from bot.services.audit_export import EventLine
from bot.slack.blocks.common import Block, capped, context, header, line_sections, section
from bot.slack.mrkdwn import escape, truncate


def account_blocks(account: CustomerAccount, locale: str) -> list[Block]:
    c = account.customer
    balance = " + ".join(m.format(locale) for m in account.balances()) or "nothing open"
    paused = ""
    if c.paused:
        paused = " · ⏸️ paused" + (
            f" until {staff_date(c.paused_until, locale)}" if c.paused_until else ""
        )
    lines = []
    for i in account.invoices:
        notes = []
        if i.disputed:
            notes.append(f"⚠️ disputed: {escape(i.disputed)}")
        if i.promised:
            notes.append(f"🤝 promised for {staff_date(i.promised, locale)}")
        late = f"{i.days_late} days late" if i.days_late else "not yet due"
        lines.append(
            f"• `{escape(i.number)}` {i.balance.format(locale)}, due "
            f"{staff_date(i.due_date, locale)} ({late})"
            + (" — " + "; ".join(notes) if notes else "")
        )
    contacts = [
        f"• {x.when:%Y-%m-%d} {x.channel}"
        + (f" ({x.stage})" if x.stage else "")
        + (f": {x.outcome}" if x.outcome else "")
        + (f" by <@{escape(x.actor)}>" if x.actor.startswith("U") else "")
        for x in account.contacts
    ]
    payments = [
        f"• {p.applied_at:%Y-%m-%d} `{escape(p.number)}` {p.amount.format(locale)} by bank "
        + (
            f"transfer, applied by <@{escape(p.decided_by)}>"
            if p.decided_by.startswith("U")
            else "transfer"
        )
        + (" — reversed by the bank" if p.undone else "")
        for p in account.payments
    ]
    return [
        header(truncate(escape(c.name), 150)),
        section(
            f"*Balance* {balance}{paused}\n{escape(c.contact_name)} · "
            f"{escape(c.email) or 'no e-mail'} · {escape(c.phone) or 'no phone'} · "
            f"{c.country} · {c.language}"
        ),
        *line_sections(
            capped(lines, 25, "…and {count} more open invoices"), empty="No open invoice."
        ),
        section("*Last contacts*"),
        *line_sections(contacts, empty="No contact recorded yet."),
        *([section("*Bank payments*"), *line_sections(payments, empty="")] if payments else []),
    ]


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
        section(f"*Audit trail — {escape(title)}* (latest first)"),
        *line_sections([_event_line(e) for e in events], empty="Nothing recorded yet."),
        context("The full record, hash-chained: `relance audit export --format csv`."),
    ]
