"""Reading slash-command arguments: dates, amounts, the rest of the line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.domain.calls import OUTCOMES
from bot.domain.money import AmountError, parse_amount
from bot.rendering.staff_text import _
from bot.services.common.errors import Invalid


def usage_text(usage: str) -> str:
    """A sub-command's usage line (a msgid) in the staff language."""
    return _(usage, outcomes="|".join(OUTCOMES))


def need(args: list[str], count: int, usage: str) -> None:
    if len(args) < count:
        raise Invalid(_("Usage: {usage}", usage=usage_text(usage)))


def a_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(_("{text} is not a date: write it as 2026-12-15.", text=repr(text))) from None


def an_amount(text: str) -> Decimal:
    try:
        return parse_amount(text)
    except AmountError:
        raise Invalid(
            "amount",
            _("{text} is not an amount: write it as 1234.56 or 1 234,56.", text=repr(text)),
        ) from None
