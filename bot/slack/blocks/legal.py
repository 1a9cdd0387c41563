"""The legal part of a final notice in a modal: the statute cited, the rate and its source,
each invoice's interest period by period and its fixed compensation, and the total claimed.
Amounts read as the customer's notice writes them (their locale)."""

from __future__ import annotations

from bot.domain.late_payment import LateCharges
from bot.rendering.locale import money, percent
from bot.rendering.staff_text import _, language, ngettext
from bot.services.overview.legal_part import LegalPart
from bot.slack.blocks.common import Block, capped, context, section
from bot.slack.ids import LEGAL_CALLBACK
from bot.slack.mrkdwn import escape, truncate

MOST_INVOICES = 40  # one block each: a modal holds 100


def _law(part: LegalPart) -> list[str]:
    law, rates = part.law, part.rates
    if law is None:
        return [
            _(
                "No statutory late-payment regime is known for {law}: the notice claims no "
                "interest and no fixed compensation.",
                law=escape(part.governing_law),
            )
        ]
    rounding = _(", rounded up to the next half point") if law.rounding.value != "none" else ""
    compounding = _("; interest added to the debt each year") if law.compound_yearly else ""
    table = f"{escape(rates.name)} ({escape(rates.source)})" if rates else escape(law.reference)
    return [
        _(
            "*Statute*: {citation} — {name}",
            citation=escape(law.citation(part.language)),
            name=escape(law.name),
        ),
        _("*Source*: {source}", source=escape(law.source)),
        _(
            "*Rate*: the reference rate {table} plus {margin} points{rounding} ({fixing} fixing)"
            "{compounding}",
            table=table,
            margin=law.margin,
            rounding=rounding,
            fixing=law.fixing.value,
            compounding=compounding,
        ),
    ]


def _invoice(charges: LateCharges, part: LegalPart) -> str:
    line = next(i for i in part.invoices if i.number == charges.invoice_number)
    periods = "\n".join(
        "• "
        + ngettext(
            "{start} to {end}: {count} day at {rate} (reference {reference} on {fixed})",
            "{start} to {end}: {count} days at {rate} (reference {reference} on {fixed})",
            p.days,
            start=p.start.isoformat(),
            end=p.end.isoformat(),
            rate=percent(p.rate, language()),
            reference=percent(p.reference, language()),
            fixed=p.fixed_on.isoformat(),
        )
        for p in charges.periods[:12]
    )
    compensation = (
        money(charges.compensation, part.locale)
        if charges.compensation
        else _("none added ({note})", note=escape(charges.compensation_note))
    )
    return truncate(
        f"`{escape(line.number)}` {money(line.balance, part.locale)} "
        + _("due {date}", date=line.due_date.isoformat())
        + ", "
        + ngettext("{count} day late", "{count} days late", charges.days)
        + f"\n{periods}\n"
        + _(
            "Interest *{interest}* · fixed compensation *{compensation}*",
            interest=money(charges.interest, part.locale),
            compensation=compensation,
        ),
        2900,
    )


def legal_modal(part: LegalPart) -> Block:
    charged = [_invoice(c, part) for c in part.charges]
    blocks: list[Block] = [
        section(
            _(
                "*Final notice to {customer}*: the figures of {date}, the day it was written",
                customer=escape(part.customer_name),
                date=part.on.isoformat(),
            )
        ),
        *(section(text) for text in _law(part)),
        *(section(text) for text in capped(charged, MOST_INVOICES, _("…and {count} more"))),
        section(
            _("*Total claimed*: ")
            + (" + ".join(money(t, part.locale) for t in part.claimed) or _("nothing left open"))
        ),
    ]
    if part.warnings:
        blocks.append(context("\n".join(f"⚠️ {escape(w)}" for w in part.warnings[:5])))
    return {
        "type": "modal",
        "callback_id": LEGAL_CALLBACK,
        "title": {"type": "plain_text", "text": _("Legal part")},
        "close": {"type": "plain_text", "text": _("Close")},
        "blocks": blocks,
    }
