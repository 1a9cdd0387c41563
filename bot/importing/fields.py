"""Parsing one cell of a ledger's export: a country, a language, a time zone, an e-mail
address, a date, a payment link, a segment, a currency. Each returns the value in its one
spelling, or raises Refused (a ValueError) whose phrase says what was expected; and why a
text cell is refused."""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email

from bot.domain.money import is_currency
from bot.domain.msgid import Phrase, Refused, phrase

_LOOPBACK_NAMES = frozenset({"localhost"})
# Text that reaches a Slack card, an e-mail header or a CSV export: a one-line field refuses every
# control character (a line break in a name would end up in a Subject header); notes and
# addresses may hold line breaks and nothing else.
_CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def text_refusal(raw: str, limit: int, multiline: bool = False) -> Phrase | None:
    """Why a text cell is refused (longer than `limit`, or holding a control character; line
    breaks allowed when `multiline`), or None when it is fine."""
    if len(raw) > limit:
        return phrase("is longer than {limit} characters", limit=limit)
    control = (_CONTROL_IN_TEXT if multiline else _CONTROL_IN_LINE).search(raw)
    if not control:
        return None
    code = f"{ord(control.group()):04X}"
    if multiline:
        return phrase("contains the control character U+{code}", code=code)
    return phrase(
        "contains the control character U+{code} (a line break, tab or similar)", code=code
    )


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
        raise Refused(
            phrase("{text} is not an ISO 3166 country code (e.g. FR, DE, GB)", text=repr(text))
        )
    return code


@lru_cache(maxsize=1024)
def parse_language(text: str) -> str:
    try:
        locale = Locale.parse(text.strip().replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise Refused(
            phrase("{text} is not a language code (e.g. en, fr, de-CH)", text=repr(text))
        ) from None
    return str(locale)


@lru_cache(maxsize=1024)
def parse_timezone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused(
            phrase("{text} is not an IANA time zone (e.g. Europe/Paris)", text=repr(text))
        ) from None
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
        raise Refused(
            phrase("{text} is not an e-mail address ({error})", text=repr(text), error=str(exc))
        ) from None


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
    raise Refused(phrase("{text} is not a date like {example}", text=repr(text), example=shown))


def parse_payment_link(text: str) -> str:
    """A link a customer is sent to pay: https, or plain http only to this machine (a local
    test server); `javascript:`, `data:` and the like are refused."""
    parts = urlsplit(text)
    if parts.scheme == "https" and parts.hostname:
        return text
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return text
    raise Refused(
        phrase("{text} is not an https:// link (http:// only on loopback)", text=repr(text[:60]))
    )


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
        raise Refused(
            phrase("{text} is not a segment name (letters, digits, - and _)", text=repr(text[:40]))
        )
    return name


def parse_currency(raw: str) -> str:
    code = raw.strip().upper()
    if not is_currency(code):
        raise Refused(
            phrase(
                "{text} is not an ISO 4217 currency code in use (e.g. EUR, GBP, USD)",
                text=repr(raw),
            )
        )
    return code
