"""Bank statements in Slack: one summary per import in the digest channel, and a card per
line a person decides, in its thread: *Apply to …*, *Choose invoices…*, *Not a customer
payment*. Pure: views in, Block Kit out (payer names and remittance texts escaped)."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.money import Money
from bot.rendering.locale import money, staff_date
from bot.services.cash import BankImport, LineView
from bot.slack.blocks.common import (
    MAX_MESSAGE_BLOCKS,
    Block,
    actions,
    button,
    context,
    fit,
    section,
)
from bot.slack.ids import CASH_APPLY, CASH_CHOOSE, CASH_CHOOSE_CALLBACK, CASH_NOT_PAYMENT
from bot.slack.mrkdwn import escape, quote, truncate

#: Cards posted under one summary; the rest are listed by `relance` and the next import.
MAX_CARDS = 40
#: Slack's limit on a multi-select's options
MAX_OPTIONS = 100


def _totals(totals: dict[str, Decimal], locale: str) -> str:
    return ", ".join(money(Money(v, c), locale) for c, v in sorted(totals.items())) or "0"


def summary_text(report: BankImport, locale: str) -> str:
    """The one line that says what the statement brought."""
    text = (
        f"🏦 Bank statement {escape(report.file_name)}: applied {report.applied} for "
        f"{_totals(report.applied_total, locale)}, {len(report.to_decide)} to decide"
    )
    if report.already_imported:
        text += f" ({report.already_imported} entries imported before, left as they were)"
    return text


def summary_blocks(report: BankImport, locale: str) -> list[Block]:
    details = [
        f"{report.lines} entries · {report.ignored} money out or fees ignored",
    ]
    if report.reversed:
        details.append(f"{report.reversed} reversed by the bank: their payments undone")
    if report.unapplied:
        details.append(f"unapplied credit (overpaid): {_totals(report.unapplied, locale)}")
    if report.cancelled:
        details.append(f"{report.cancelled} reminders overtaken by what was paid")
    if len(report.to_decide) > MAX_CARDS:
        details.append(f"the first {MAX_CARDS} lines to decide are in the thread")
    return [section(summary_text(report, locale)), context(" · ".join(details))]


def _amount(view: LineView, locale: str) -> str:
    return money(Money(view.amount, view.currency), locale)


def _apply_label(view: LineView) -> str | None:
    """What *Apply to …* applies: the proposal, or the one candidate; else no such button."""
    if view.proposed:
        return "Apply to " + ", ".join(number for number, _a in view.proposed)
    if len(view.candidates) == 1:
        return f"Apply to {view.candidates[0].number}"
    return None


def line_text(view: LineView, locale: str) -> str:
    payer = escape(view.payer_name) or "_no name_"
    lines = [
        f"*{_amount(view, locale)}* from {payer}"
        + (f" (`{escape(view.payer_iban)}`)" if view.payer_iban else "")
        + f" · booked {staff_date(view.booked, locale)}",
    ]
    if view.remittance:
        lines.append(quote(view.remittance.replace("\n", " · "), 500))
    if view.customer:
        lines.append(f"Customer: *{escape(view.customer)}*")
    lines.append(f"_Why a person decides:_ {escape(view.why)}")
    if view.candidates:
        shown = [
            f"• {escape(c.number)}: {money(Money(c.balance, view.currency), locale)} "
            f"due {staff_date(c.due, locale)}"
            for c in view.candidates[:10]
        ]
        more = len(view.candidates) - len(shown)
        lines += shown + ([f"… and {more} more"] if more else [])
    return "\n".join(lines)


def _outcome(view: LineView, locale: str) -> str:
    if view.state == "applied":
        text = f"✅ Applied by <@{view.decided_by}>" if view.decided_by else "✅ Applied"
        if view.unapplied:
            text += f"; {money(Money(view.unapplied, view.currency), locale)} kept as credit"
        return text
    if view.state == "not_payment":
        return f"🚫 Not a customer payment, said <@{view.decided_by}>"
    if view.state == "reversed":
        return "↩️ Reversed by the bank"
    return ""


def line_blocks(view: LineView, locale: str) -> list[Block]:
    """A line's card; once decided, it says who decided and offers nothing more."""
    blocks = [section(line_text(view, locale))]
    if not view.open:
        blocks.append(context(_outcome(view, locale)))
        return blocks
    value = str(view.id)
    buttons = []
    label = _apply_label(view)
    if label is not None:
        buttons.append(button(label, CASH_APPLY, value, style="primary"))
    buttons.append(button("Choose invoices…", CASH_CHOOSE, value))
    buttons.append(button("Not a customer payment", CASH_NOT_PAYMENT, value))
    blocks.append(actions(f"bank_line_{view.id}", *buttons))
    return fit(blocks, MAX_MESSAGE_BLOCKS, "…")


def line_fallback(view: LineView, locale: str) -> str:
    return truncate(f"Bank payment to decide: {_amount(view, locale)} from {view.payer_name}", 300)


def choose_modal(view: LineView, locale: str) -> Block:
    """The invoices a person may apply the line to: the candidates, or the payer's open
    invoices; the oldest due is paid first, what is left kept as credit."""
    options = [
        {
            "text": {
                "type": "plain_text",
                "text": truncate(
                    f"{c.number} · {money(Money(c.balance, view.currency), locale)}", 75
                ),
            },
            "value": c.number,
        }
        for c in view.candidates[:MAX_OPTIONS]
    ]
    blocks: list[Block] = [section(line_text(view, locale))]
    if options:
        blocks.append(
            {
                "type": "input",
                "block_id": "invoices",
                "label": {"type": "plain_text", "text": "Invoices it pays"},
                "element": {
                    "type": "multi_static_select",
                    "action_id": "value",
                    "options": options,
                },
            }
        )
    else:
        blocks.append(
            {
                "type": "input",
                "block_id": "invoices",
                "label": {"type": "plain_text", "text": "Invoice numbers, one a line"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 1000,
                },
            }
        )
    blocks.append(context("The oldest due is paid first; what is left is kept as credit."))
    return {
        "type": "modal",
        "callback_id": CASH_CHOOSE_CALLBACK,
        "private_metadata": str(view.id),
        "title": {"type": "plain_text", "text": "Apply a payment"},
        "submit": {"type": "plain_text", "text": "Apply"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }
