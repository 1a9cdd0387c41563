"""Reading slash-command arguments: dates, amounts, the rest of the line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.domain.money import AmountError, parse_amount
from bot.services.errors import Invalid


def need(args: list[str], count: int, usage: str) -> None:
    if len(args) < count:
        raise Invalid(f"Usage: {usage}")


def a_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{text!r} is not a date: write it as 2026-12-15.") from None


def an_amount(text: str) -> Decimal:
    try:
        return parse_amount(text)
    except AmountError:
        raise Invalid(
            "amount", f"{text!r} is not an amount: write it as 1234.56 or 1 234,56."
        ) from None
