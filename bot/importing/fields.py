"""Parsing one cell of a ledger's export: a country, a language, a time zone, an e-mail
address, a date, a payment link, a segment, a currency. Each returns the value in its one
spelling, or raises ValueError saying what was expected."""

from __future__ import annotations

import ipaddress
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email

from bot.domain.money import is_currency

_LOOPBACK_NAMES = frozenset({"localhost"})


@lru_cache(maxsize=1)
def _country_codes() -> dict[str, str]:
    """ISO 3166 alpha-2 codes, looked up by code or by English name (`France`, `Germany`)."""
    names = Locale("en").territories
    lookup = {}
    for code, name in names.items():
        if len(code) == 2 and code.isalpha():
            lookup[code.upper()] = code.upper()
            lookup[name.casefold()] = code.upper()
    return lookup


@lru_cache(maxsize=4096)
def parse_country(text: str) -> str:
    codes = _country_codes()
    code = codes.get(text.strip().upper()) or codes.get(text.strip().casefold())
    if code is None:
        raise ValueError(f"{text!r} is not an ISO 3166 country code (e.g. FR, DE, GB)")
    return code


@lru_cache(maxsize=1024)
def parse_language(text: str) -> str:
    try:
        locale = Locale.parse(text.strip().replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"{text!r} is not a language code (e.g. en, fr, de-CH)") from None
    return str(locale)


@lru_cache(maxsize=1024)
def parse_timezone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{text!r} is not an IANA time zone (e.g. Europe/Paris)") from None
    return text.strip()


@lru_cache(maxsize=256)
def country_timezone(country: str) -> str | None:
    """The time zone of a country that has only one; None for the US, Canada, Australia…"""
    zones = get_global("territory_zones").get(country, [])
    return zones[0] if len(zones) == 1 else None


@lru_cache(maxsize=65536)
def parse_email(text: str) -> str:
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{text!r} is not an e-mail address ({exc})") from None


def parse_date(text: str, formats: tuple[str, ...]) -> date:
    for fmt in formats:
        if fmt == "%Y-%m-%d" and len(text) == 10 and text[4] == text[7] == "-":  # fast path
            try:
                return date.fromisoformat(text)
            except ValueError:
                continue
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    shown = " or ".join(datetime(2026, 1, 31).strftime(f) for f in formats)
    raise ValueError(f"{text!r} is not a date like {shown}")


def parse_payment_link(text: str) -> str:
    """A link a customer is sent to pay: https, or plain http only to this machine (a local
    test server); `javascript:`, `data:` and the like are refused."""
    parts = urlsplit(text)
    if parts.scheme == "https" and parts.hostname:
        return text
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return text
    raise ValueError(f"{text[:60]!r} is not an https:// link (http:// only on loopback)")


def _is_loopback(host: str) -> bool:
    if host.casefold() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_segment(text: str) -> str:
    """A segment's name as the policy writes it: letters, digits, '-' and '_', at most 40."""
    name = text.strip()
    if len(name) > 40 or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"{text[:40]!r} is not a segment name (letters, digits, - and _)")
    return name


def parse_currency(raw: str) -> str:
    code = raw.strip().upper()
    if not is_currency(code):
        raise ValueError(f"{raw!r} is not an ISO 4217 currency code in use (e.g. EUR, GBP, USD)")
    return code
