"""Postal conventions for letters sent abroad."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

#: languages an address line may name a country in, besides the country's own
_LANGUAGES = ("en", "fr", "de", "es", "it", "nl", "pt")


def _locale(country: str) -> Locale:
    try:
        return Locale.parse(f"und_{country}")  # the country's likeliest language
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


@lru_cache(maxsize=64)
def _names(country: str) -> frozenset[str]:
    """The country's name in the usual languages and its own, folded: to tell whether an
    address already ends with it."""
    locales = [Locale.parse(language) for language in _LANGUAGES] + [_locale(country)]
    names = {locale.territories.get(country, "").casefold() for locale in locales}
    return frozenset((names - {""}) | {country.casefold()})


def country_line(address: str, country: str, from_country: str) -> list[str]:
    """The destination country as the address's last line, in capitals and in the sending
    country's language, when a letter crosses a border and its address does not already say so
    (an empty address gets none)."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    if not lines or country == from_country or lines[-1].casefold() in _names(country):
        return []
    return [(_locale(from_country).territories.get(country) or country).upper()]
