"""The customer's locale: language for the words, language + country for amounts and dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_percent

from bot.domain.money import Money, babel_locale


@lru_cache(maxsize=512)
def customer_locale(language: str, country: str) -> str:
    """`fr` + `BE` gives `fr_BE`; a language that already names its territory is kept."""
    locale = Locale.parse(language)
    if locale.territory:
        return str(locale)
    try:
        return str(Locale.parse(f"{locale.language}_{country}"))
    except (ValueError, UnknownLocaleError):
        return str(locale)


@lru_cache(maxsize=4096)
def plural_form(count: int, locale: str) -> str:
    """The CLDR plural category of `count` in `locale` ("one", "few", "many", "other"…):
    French says "1 jour" and "0 jour", English "1 day" and "0 days"."""
    return babel_locale(locale).plural_form(abs(count))


def money(value: Money, locale: str) -> str:
    return value.format(locale)


def _customer_date(value: date, locale: str, style: str) -> str:
    """French writes the first of the month as an ordinal, "1er septembre" (CLDR does not)."""
    text = format_date(value, format=style, locale=babel_locale(locale))
    if value.day == 1 and locale.split("_")[0] == "fr" and text.startswith("1 "):
        return "1er" + text[1:]
    return text


@lru_cache(maxsize=8192)
def long_date(value: date, locale: str) -> str:
    """Cached: a day's run writes the same few hundred due dates in a handful of locales."""
    return _customer_date(value, locale, "long")


@lru_cache(maxsize=8192)
def table_date(value: date, locale: str) -> str:
    """A date in a letter's table, short enough for its column yet with the full year:
    `01.09.2026` (de_DE), `1er sept. 2026` (fr_FR), `1 Sept 2026` (en_GB)."""
    return _customer_date(value, locale, "medium")


@lru_cache(maxsize=4096)
def staff_date(value: date, locale: str, style: str = "medium") -> str:
    """A date shown to staff, in `RELANCE_LOCALE`: `26 Nov 2026` (en_GB), `26 nov. 2026`
    (fr_FR); `full` for headings: `jeudi 26 novembre 2026`."""
    return format_date(value, format=style, locale=babel_locale(locale))


def percent(rate: Decimal, locale: str) -> str:
    """A yearly rate given in percent points (12.15) as the locale writes it (`12,15 %`)."""
    return format_percent(rate / 100, locale=babel_locale(locale), decimal_quantization=False)
