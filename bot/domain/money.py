"""Money as Decimal in the currency's minor units, never float.

Amounts are stored as integers of minor units (cents, pence, yen) so that the database can sum
them exactly on SQLite and PostgreSQL alike; the currency's precision comes from CLDR via Babel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.core import get_global
from babel.numbers import format_currency, get_currency_precision, get_territory_currencies

from bot.domain.msgid import Refused, phrase, phrase_n


@lru_cache(maxsize=256)
def babel_locale(name: str) -> Locale:
    """Parsed once: Babel parses a locale name again on every call it is given one."""
    return Locale.parse(name)


class AmountError(Refused):
    """An amount that cannot be read, or has more decimals than its currency allows."""


@lru_cache(maxsize=1)
def active_currencies() -> frozenset[str]:
    """ISO 4217 codes legal tender somewhere today (CLDR), so `FRF` or `DEM` are refused."""
    today = date.today()
    territories = get_global("territory_currencies").keys()
    return frozenset(
        code for t in territories for code in get_territory_currencies(t, today, tender=True)
    )


def is_currency(code: str) -> bool:
    return code in active_currencies()


@lru_cache(maxsize=512)
def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact conversion to minor units; refuses amounts finer than the currency allows."""
    digits = minor_digits(currency)
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise AmountError(
            phrase_n(
                "{amount} has more than {count} decimal place for {currency}",
                "{amount} has more than {count} decimal places for {currency}",
                digits,
                amount=str(amount),
                currency=currency,
            )
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    digits = minor_digits(currency)
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


_SPACES = re.compile(r"[\s\u00a0\u202f'’]")
_GROUPED = re.compile(r"^-?\d{1,3}(?:[.,]\d{3})+$")
#: One mark followed by exactly three digits: `1,500` is 1500 in London and 1.5 in Paris.
_TWO_WAYS = re.compile(r"^-?[1-9]\d{0,2}[.,]\d{3}$")


class AmbiguousAmount(AmountError):
    """An amount that reads as two different numbers depending on the decimal separator."""


def parse_amount(text: str, decimal_separator: str | None = None) -> Decimal:
    """Read an amount written with either decimal separator: `1 234,56`, `1,234.56`, `1234.5`.

    With `decimal_separator` given (a mapping knows its tool's format) the other mark is taken
    as grouping. Without it: when both marks appear the last one is the decimal separator; a
    single mark used more than once is grouping (`1,234,567`); one mark followed by exactly
    three digits (`1,500`, `1.500`) could be either and is refused, never guessed; otherwise
    the single mark is the decimal mark.
    """
    plain = text.strip()
    digits = plain[1:] if plain.startswith("-") else plain
    if (
        decimal_separator != ","
        and digits.isascii()
        and digits.replace(".", "", 1).isdigit()
        and (decimal_separator == "." or not _TWO_WAYS.match(plain))
    ):
        return Decimal(plain)  # the common case, `1234.56`, without the general parsing below
    cleaned = _SPACES.sub("", plain)
    if cleaned.startswith("(") and cleaned.endswith(")"):  # accounting negative
        cleaned = "-" + cleaned[1:-1]
    if not cleaned:
        raise AmountError(phrase("empty amount"))
    if decimal_separator is None:
        if _TWO_WAYS.match(cleaned):
            raise AmbiguousAmount(
                phrase(
                    "{text} could be read two ways (thousands or decimals); state the "
                    "mapping's decimal_separator, or write the amount with both marks or none",
                    text=repr(text.strip()),
                )
            )
        decimal_separator = _guess_decimal_separator(cleaned)
    grouping = "," if decimal_separator == "." else "."
    normalized = cleaned.replace(grouping, "").replace(decimal_separator, ".")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", normalized):
        raise AmountError(phrase("{text} is not an amount", text=repr(text.strip())))
    try:
        return Decimal(normalized)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise AmountError(phrase("{text} is not an amount", text=repr(text.strip()))) from exc


def _guess_decimal_separator(cleaned: str) -> str:
    dot, comma = cleaned.rfind("."), cleaned.rfind(",")
    if dot >= 0 and comma >= 0:
        return "." if dot > comma else ","
    mark = "." if dot >= 0 else ","
    if cleaned.count(mark) > 1 and _GROUPED.match(cleaned):
        return "," if mark == "." else "."
    return mark


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount in one currency, formatted in a reader's locale."""

    amount: Decimal
    currency: str

    @classmethod
    def of_minor(cls, minor: int, currency: str) -> Money:
        return cls(from_minor(minor, currency), currency)

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)

    def format(self, locale: str = "en") -> str:
        return format_currency(self.amount, self.currency, locale=babel_locale(locale))

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)


def totals_by_currency(amounts: Iterable[Money]) -> list[Money]:
    """One total per currency, in currency order: amounts in different currencies never mix."""
    totals: dict[str, Money] = {}
    for amount in amounts:
        c = amount.currency
        totals[c] = totals[c] + amount if c in totals else amount
    return [totals[c] for c in sorted(totals)]


def open_minor(amount_minor: int, paid_minor: int) -> int:
    """What is still owed on an invoice, in minor units (the SQL twin is
    `services.queries.open_balance`)."""
    return amount_minor - paid_minor
