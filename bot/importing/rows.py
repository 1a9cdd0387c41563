"""Validating one invoice line: every field checked, every problem named, nothing guessed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email

from bot.domain.money import AmountError, is_currency, parse_amount, to_minor
from bot.importing.mapping import Mapping


@dataclass(frozen=True)
class FieldError:
    column: str
    message: str


class RowInvalid(ValueError):
    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.column}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class InvoiceLine:
    """One valid line, typed: money in minor units, dates as dates, codes normalized."""

    customer_external_id: str
    customer_name: str
    contact_name: str
    email: str
    phone: str
    language: str
    country: str
    timezone: str
    notes: str
    invoice_number: str
    currency: str
    amount_minor: int
    paid_minor: int
    issue_date: date
    due_date: date
    payment_link: str


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
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    shown = " or ".join(datetime(2026, 1, 31).strftime(f) for f in formats)
    raise ValueError(f"{text!r} is not a date like {shown}")


class LineReader:
    """Turns raw CSV records into `InvoiceLine`s under one mapping."""

    def __init__(self, mapping: Mapping, fallback_timezone: str):
        self.mapping = mapping
        self.fallback_timezone = fallback_timezone

    def _raw(self, record: dict[str, str], name: str) -> str:
        header = self.mapping.columns.get(name)
        value = (record.get(header) or "").strip() if header else ""
        return value or self.mapping.defaults.get(name, "")

    def read(self, record: dict[str, str]) -> InvoiceLine:
        errors: list[FieldError] = []
        m = self.mapping

        def column(name: str) -> str:
            return m.columns.get(name, name)

        def field(name: str, parse, required: bool = False):  # type: ignore[no-untyped-def]
            raw = self._raw(record, name)
            if not raw:
                if required:
                    errors.append(FieldError(column(name), "is empty"))
                return None
            try:
                return parse(raw)
            except ValueError as exc:
                errors.append(FieldError(column(name), str(exc)))
                return None

        def text(name: str, limit: int, required: bool = False) -> str:
            def check(raw: str) -> str:
                if len(raw) > limit:
                    raise ValueError(f"is longer than {limit} characters")
                return raw

            return field(name, check, required) or ""

        customer_name = text("customer_name", 200, required=True)
        external_id = text("customer_id", 64, required=True)
        number = text("invoice_number", 64, required=True)
        contact_name = text("contact_name", 200)
        phone = text("phone", 40)
        payment_link = text("payment_link", 500)
        country = field("country", parse_country, required=True)
        currency = field("currency", _parse_currency, required=True)
        language = field("language", parse_language) or "en"
        email = field("email", parse_email) or ""
        timezone = field("timezone", parse_timezone)
        dates = m.date_formats
        issue = field("issue_date", lambda raw: parse_date(raw, dates), required=True)
        due = field("due_date", lambda raw: parse_date(raw, dates), required=True)
        amount = field("amount", self._amount, required=True)
        paid_or_balance = "balance" if m.provides("balance") else "amount_paid"
        other = field(paid_or_balance, self._amount)

        amount_minor = paid_minor = 0
        if currency and amount is not None:
            amount_minor = self._minor(amount, currency, column("amount"), errors)
            if amount_minor is not None and amount_minor <= 0:
                errors.append(FieldError(column("amount"), "must be more than zero"))
        if currency and other is not None:
            other_minor = self._minor(other, currency, column(paid_or_balance), errors)
            if other_minor is not None and amount_minor:
                is_balance = paid_or_balance == "balance"
                paid_minor = amount_minor - other_minor if is_balance else other_minor
                if not 0 <= paid_minor <= amount_minor:
                    errors.append(FieldError(
                        column(paid_or_balance),
                        "gives a payment below zero or above the invoice amount",
                    ))
        if issue and due and due < issue:
            errors.append(FieldError(column("due_date"), "is before the issue date"))
        if country and not timezone:
            timezone = country_timezone(country) or self.fallback_timezone

        if errors:
            raise RowInvalid(errors)
        return InvoiceLine(
            customer_external_id=external_id,
            customer_name=customer_name,
            contact_name=contact_name,
            email=email,
            phone=phone,
            language=language,
            country=country,
            timezone=timezone,
            notes=self._raw(record, "notes"),
            invoice_number=number,
            currency=currency,
            amount_minor=amount_minor,
            paid_minor=paid_minor,
            issue_date=issue,
            due_date=due,
            payment_link=payment_link,
        )

    def _amount(self, raw: str):  # type: ignore[no-untyped-def]
        try:
            return parse_amount(raw, self.mapping.decimal_separator)
        except AmountError as exc:
            raise ValueError(str(exc)) from None

    @staticmethod
    def _minor(amount, currency: str, column: str, errors: list[FieldError]) -> int | None:  # type: ignore[no-untyped-def]
        try:
            return to_minor(amount, currency)
        except AmountError as exc:
            errors.append(FieldError(column, str(exc)))
            return None


def _parse_currency(raw: str) -> str:
    code = raw.strip().upper()
    if not is_currency(code):
        raise ValueError(f"{raw!r} is not an ISO 4217 currency code in use (e.g. EUR, GBP, USD)")
    return code
