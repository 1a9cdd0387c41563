"""Bank statements in Slack: one summary per import in the digest channel, and a card per
line a person decides, in its thread: *Apply to …*, *Choose invoices…*, *Not a customer
payment*. Pure: views in, Block Kit out (payer names and remittance texts escaped)."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.money import Money
from bot.domain.states import BankLineState
from bot.rendering.locale import money, staff_date
from bot.rendering.staff_text import _, ngettext
from bot.services.cash import BankImport, LineView, Waiting
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
#: Cards on someone's Home, after their morning: two blocks each, within the Home's 100
HOME_CARDS = 3


def _totals(totals: dict[str, Decimal], locale: str) -> str:
    return ", ".join(money(Money(v, c), locale) for c, v in sorted(totals.items())) or "0"


def summary_text(report: BankImport, locale: str) -> str:
    """The one line that says what the statement brought."""
    text = "🏦 " + _(
        "Bank statement {file}: applied {applied} for {total}, {to_decide} to decide",
        file=escape(report.file_name),
        applied=report.applied,
        total=_totals(report.applied_total, locale),
        to_decide=len(report.to_decide),
    )
    if report.already_imported:
        text += " " + ngettext(
            "({count} entry imported before, left as it was)",
            "({count} entries imported before, left as they were)",
            report.already_imported,
        )
    return text


def summary_blocks(report: BankImport, locale: str) -> list[Block]:
    details = [
        ngettext("{count} entry", "{count} entries", report.lines)
        + " · "
        + _("{count} money out or fees ignored", count=report.ignored),
    ]
    if report.reversed:
        details.append(
            _("{count} reversed by the bank: their payments undone", count=report.reversed)
        )
    if report.unapplied:
        details.append(
            _("unapplied credit (overpaid): {total}", total=_totals(report.unapplied, locale))
        )
    if report.cancelled:
        details.append(
            ngettext(
                "{count} reminder overtaken by what was paid",
                "{count} reminders overtaken by what was paid",
                report.cancelled,
            )
        )
    if len(report.to_decide) > MAX_CARDS:
        details.append(_("the first {count} lines to decide are in the thread", count=MAX_CARDS))
    return [section(summary_text(report, locale)), context(" · ".join(details))]


def _amount(view: LineView, locale: str) -> str:
    return money(Money(view.amount, view.currency), locale)


def _apply_label(view: LineView) -> str | None:
    """What *Apply to …* applies: the proposal, or the one candidate; else no such button."""
    if view.proposed:
        return _("Apply to {invoices}", invoices=", ".join(number for number, _a in view.proposed))
    if len(view.candidates) == 1:
        return _("Apply to {invoices}", invoices=view.candidates[0].number)
    return None


def line_text(view: LineView, locale: str) -> str:
    payer = escape(view.payer_name) or _("_no name_")
    lines = [
        _("*{amount}* from {payer}", amount=_amount(view, locale), payer=payer)
        + (f" (`{escape(view.payer_iban)}`)" if view.payer_iban else "")
        + " · "
        + _("booked {date}", date=staff_date(view.booked, locale)),
    ]
    if view.remittance:
        lines.append(quote(view.remittance.replace("\n", " · "), 500))
    if view.customer:
        lines.append(_("Customer: *{customer}*", customer=escape(view.customer)))
    lines.append(_("_Why a person decides:_ {why}", why=escape(view.why)))
    if view.candidates:
        shown = [
            f"• {escape(c.number)}: "
            + _(
                "{balance} due {date}",
                balance=money(Money(c.balance, view.currency), locale),
                date=staff_date(c.due, locale),
            )
            for c in view.candidates[:10]
        ]
        more = len(view.candidates) - len(shown)
        lines += shown + ([_("… and {count} more", count=more)] if more else [])
    return "\n".join(lines)


def _outcome(view: LineView, locale: str) -> str:
    if view.state == BankLineState.APPLIED:
        text = "✅ " + (
            _("Applied by <@{user}>", user=view.decided_by) if view.decided_by else _("Applied")
        )
        if view.unapplied:
            text += "; " + _(
                "{amount} kept as credit",
                amount=money(Money(view.unapplied, view.currency), locale),
            )
        return text
    if view.state == BankLineState.NOT_PAYMENT:
        return "🚫 " + _("Not a customer payment, said <@{user}>", user=view.decided_by)
    if view.state == BankLineState.REVERSED:
        return "↩️ " + _("Reversed by the bank")
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
    buttons.append(button(_("Choose invoices…"), CASH_CHOOSE, value))
    buttons.append(button(_("Not a customer payment"), CASH_NOT_PAYMENT, value))
    blocks.append(actions(f"bank_line_{view.id}", *buttons))
    return fit(blocks, MAX_MESSAGE_BLOCKS, "…")


def home_cards(waiting: Waiting, locale: str) -> list[Block]:
    """The bank payments waiting for the owner of their customer, on that person's Home, with
    the card's own buttons; nothing when none waits."""
    if not waiting.total:
        return []
    blocks = [section(_("*Bank payments waiting for you* ({count})", count=waiting.total))]
    for view in waiting.lines:
        blocks += line_blocks(view, locale)
    if more := waiting.total - len(waiting.lines):
        blocks.append(context(_("…and {count} more in the statements' threads", count=more)))
    return blocks


def line_fallback(view: LineView, locale: str) -> str:
    return truncate(
        _(
            "Bank payment to decide: {amount} from {payer}",
            amount=_amount(view, locale),
            payer=view.payer_name,
        ),
        300,
    )


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
                "label": {"type": "plain_text", "text": _("Invoices it pays")},
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
                "label": {"type": "plain_text", "text": _("Invoice numbers, one a line")},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 1000,
                },
            }
        )
    blocks.append(context(_("The oldest due is paid first; what is left is kept as credit.")))
    return {
        "type": "modal",
        "callback_id": CASH_CHOOSE_CALLBACK,
        "private_metadata": str(view.id),
        "title": {"type": "plain_text", "text": _("Apply a payment")},
        "submit": {"type": "plain_text", "text": _("Apply")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": blocks,
    }
