"""The legal part of a final notice in a modal: the statute cited, the rate and its source,
each invoice's interest period by period and its fixed compensation, and the total claimed.
Amounts read as the customer's notice writes them (their locale)."""

from __future__ import annotations

from bot.domain.late_payment import LateCharges
from bot.rendering.locale import money
from bot.services.legal_part import LegalPart
from bot.slack.blocks.common import Block, capped, context, section
from bot.slack.ids import LEGAL_CALLBACK
from bot.slack.mrkdwn import escape, truncate

MOST_INVOICES = 40  # one block each: a modal holds 100


def _law(part: LegalPart) -> list[str]:
    law, rates = part.law, part.rates
    if law is None:
        return [
            f"No statutory late-payment regime is known for {escape(part.governing_law)}: "
            "the notice claims no interest and no fixed compensation."
        ]
    rounding = ", rounded up to the next half point" if law.rounding.value != "none" else ""
    compounding = "; interest added to the debt each year" if law.compound_yearly else ""
    table = f"{escape(rates.name)} ({escape(rates.source)})" if rates else escape(law.reference)
    return [
        f"*Statute*: {escape(law.citation(part.language))} — {escape(law.name)}",
        f"*Source*: {escape(law.source)}",
        f"*Rate*: the reference rate {table} plus {law.margin} points{rounding}"
        f" ({law.fixing.value} fixing){compounding}",
    ]


def _invoice(charges: LateCharges, part: LegalPart) -> str:
    line = next(i for i in part.invoices if i.number == charges.invoice_number)
    periods = "\n".join(
        f"• {p.start.isoformat()} to {p.end.isoformat()}: {p.days} day(s) at {p.rate}% "
        f"(reference {p.reference}% on {p.fixed_on.isoformat()})"
        for p in charges.periods[:12]
    )
    compensation = (
        money(charges.compensation, part.locale)
        if charges.compensation
        else f"none added ({escape(charges.compensation_note)})"
    )
    return truncate(
        f"`{escape(line.number)}` {money(line.balance, part.locale)} due "
        f"{line.due_date.isoformat()}, {charges.days} day(s) late\n{periods}\n"
        f"Interest *{money(charges.interest, part.locale)}* · "
        f"fixed compensation *{compensation}*",
        2900,
    )


def legal_modal(part: LegalPart) -> Block:
    charged = [_invoice(c, part) for c in part.charges]
    blocks: list[Block] = [
        section(
            f"*Final notice to {escape(part.customer_name)}*: the figures of "
            f"{part.on.isoformat()}, the day it was written"
        ),
        *(section(text) for text in _law(part)),
        *(section(text) for text in capped(charged, MOST_INVOICES, "…and {count} more")),
        section(
            "*Total claimed*: "
            + (" + ".join(money(t, part.locale) for t in part.claimed) or "nothing left open")
        ),
    ]
    if part.warnings:
        blocks.append(context("\n".join(f"⚠️ {escape(w)}" for w in part.warnings[:5])))
    return {
        "type": "modal",
        "callback_id": LEGAL_CALLBACK,
        "title": {"type": "plain_text", "text": "Legal part"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }
