"""Validating one invoice line: every field checked, every problem named, nothing guessed."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email

from bot.domain.copies import check_pdf_reference
from bot.domain.money import AmountError, is_currency, parse_amount, to_minor
from bot.domain.msgid import Phrase, Refused, phrase, verbatim
from bot.domain.owners import parse_owner
from bot.domain.states import InvoiceStatus
from bot.importing.mapping import CUSTOMER_FIELDS, FIELDS, Mapping

T = TypeVar("T")

# Text that reaches a Slack card, an e-mail header or a CSV export: a one-line field refuses every
# control character (a line break in a name would end up in a Subject header); notes and
# addresses may hold line breaks and nothing else.
_CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Unicode bidirectional controls (embeddings, overrides, isolates, marks) reorder what a reader
# sees, so an invoice number or a link can display as something else ("Trojan Source",
# CVE-2021-42574): refused in every field.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class FieldError:
    column: str
    message: Phrase


def _said(exc: ValueError) -> Phrase:
    """A field's refusal: the rule's phrase, or the text of an error no rule words (kept)."""
    return exc.phrase if isinstance(exc, Refused) else verbatim(str(exc))


class RowInvalid(ValueError):
    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.column}: {e.message}" for e in errors))
        self.errors = errors


class InvoiceLine(NamedTuple):
    """One valid line, typed: money in minor units, dates as dates, codes normalized.

    A plain tuple on purpose: a million of them go to the staging table as they are.
    """

    customer_external_id: str
    customer_name: str
    contact_name: str
    salutation: str  # "Mrs", "Frau", "Sra.", "Madame": the contact's formal greeting
    email: str
    phone: str
    language: str
    country: str
    timezone: str
    notes: str
    address: str
    governing_law: str  # ISO code of the country whose late-payment law applies; "" for default
    owner: str
    segment: str
    invoice_number: str
    currency: str
    amount_minor: int
    paid_minor: int
    issue_date: date
    due_date: date
    payment_link: str
    status: InvoiceStatus
    lettering: str  # a ledger's matching code (the FEC's EcritureLet); "" when none
    reported_paid_minor: int | None  # the file's own paid figure when it also gives a balance
    pdf: str  # the invoice's PDF: a path under the documents folder or an https URL


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


#: A line's customer fields, in `CUSTOMER_FIELDS` order, the first part of an `InvoiceLine`.
_Customer = tuple[str, str, str, str, str, str, str, str, str, str, str, str, str, str]


class LineReader:
    """Turns raw CSV rows into `InvoiceLine`s under one mapping and one file's header.

    Where each field sits in a row is worked out once from the header. Customer details repeat
    on every line of a customer; they are validated once per distinct set of values (cached).
    Both keep a million-line import fast.
    """

    def __init__(self, mapping: Mapping, fallback_timezone: str, header: list[str]):
        self.mapping = mapping
        self.fallback_timezone = fallback_timezone
        self._customer = lru_cache(maxsize=65536)(self._read_customer)
        # A column with an empty header name is no column at all: never read as a field.
        position = {name: index for index, name in enumerate(header) if name}
        names = FIELDS
        self._where = tuple(
            (position.get(mapping.columns.get(name, "")), mapping.defaults.get(name, ""))
            for name in names
        )
        self._joins = tuple(
            (names.index(name), tuple(position[c] for c in columns if c in position))
            for name, columns in mapping.joined.items()
        )
        self._fallbacks = tuple(
            (names.index(name), position[column])
            for name, column in mapping.fallbacks.items()
            if column in position
        )
        self._per_line_amount = "amount" not in mapping.summed

    def _raw(self, row: list[str]) -> list[str]:
        """Each field's text, stripped, in FIELDS order (the customer's first); the mapping's
        default where the file has no such column or leaves the cell empty."""
        raw = [
            (row[index].strip() if index is not None else "") or default
            for index, default in self._where
        ]
        for at, indexes in self._joins:
            raw[at] = "\n".join(p for p in (row[i].strip() for i in indexes) if p) or raw[at]
        for at, index in self._fallbacks:
            if not raw[at] or raw[at] in self.mapping.placeholders:
                raw[at] = row[index].strip()
        return raw

    def _column(self, name: str) -> str:
        return self.mapping.columns.get(name, name)

    def _field(
        self,
        name: str,
        raw: str,
        parse: Callable[[str], T],
        errors: list[FieldError],
        required: bool = False,
    ) -> T | None:
        if not raw:
            if required:
                errors.append(FieldError(self._column(name), phrase("is empty")))
            return None
        try:
            return parse(raw)
        except ValueError as exc:
            errors.append(FieldError(self._column(name), _said(exc)))
            return None

    def _text(
        self,
        name: str,
        raw: str,
        limit: int,
        errors: list[FieldError],
        required: bool = False,
        multiline: bool = False,
    ) -> str:
        if len(raw) > limit:
            errors.append(
                FieldError(
                    self._column(name),
                    phrase("is longer than {limit} characters", limit=limit),
                )
            )
            return ""
        control = (_CONTROL_IN_TEXT if multiline else _CONTROL_IN_LINE).search(raw)
        if control:
            errors.append(
                FieldError(
                    self._column(name),
                    phrase(
                        "contains the control character U+{code}",
                        code=f"{ord(control.group()):04X}",
                    )
                    if multiline
                    else phrase(
                        "contains the control character U+{code} (a line break, tab or similar)",
                        code=f"{ord(control.group()):04X}",
                    ),
                )
            )
            return ""
        if not raw and required:
            errors.append(FieldError(self._column(name), phrase("is empty")))
        return raw

    def _read_customer(self, raw: tuple[str, ...]) -> tuple[_Customer, list[FieldError]]:
        values = dict(zip(CUSTOMER_FIELDS, raw, strict=True))
        errors: list[FieldError] = []
        external_id = self._text("customer_id", values["customer_id"], 64, errors, True)
        name = self._text("customer_name", values["customer_name"], 200, errors, True)
        contact = self._text("contact_name", values["contact_name"], 200, errors)
        salutation = self._text("salutation", values["salutation"].strip(), 40, errors)
        email = self._field("email", values["email"], parse_email, errors) or ""
        phone = self._text("phone", values["phone"], 40, errors)
        language = self._field("language", values["language"], parse_language, errors) or "en"
        country = self._field("country", values["country"], parse_country, errors, True)
        timezone = self._field("timezone", values["timezone"], parse_timezone, errors)
        if country and not timezone:
            timezone = country_timezone(country) or self.fallback_timezone
        law = self._field("governing_law", values["governing_law"], parse_country, errors) or ""
        customer = (
            external_id,
            name,
            contact,
            salutation,
            email,
            phone,
            language,
            country or "",  # None only with an error recorded: the line is refused
            timezone or "",
            self._text("notes", values["notes"], 2000, errors, multiline=True),
            self._text("address", values["address"], 500, errors, multiline=True),
            law,
            self._field("owner", values["owner"], parse_owner, errors) or "",
            self._field("segment", values["segment"], parse_segment, errors) or "",
        )
        return customer, errors

    def read(self, record: list[str]) -> InvoiceLine:
        raw = self._raw(record)
        split = len(CUSTOMER_FIELDS)
        customer, customer_errors = self._customer(tuple(raw[:split]))
        (
            number_raw,
            currency_raw,
            amount_raw,
            paid_raw,
            balance_raw,
            issue_raw,
            due_raw,
            link_raw,
            status_raw,
            type_raw,
            credit_raw,
            letter_raw,
            pdf_raw,
        ) = raw[split:]
        errors = list(customer_errors)
        bidi = _BIDI.search("".join(raw))
        if bidi:
            errors += [
                FieldError(
                    self._column(name),
                    phrase(
                        "contains the bidirectional control U+{code}, which changes how the "
                        "text reads on screen",
                        code=f"{ord(bidi.group()):04X}",
                    ),
                )
                for name, text in zip(FIELDS, raw, strict=True)
                if _BIDI.search(text)
            ]
        unnumbered = not number_raw and self.mapping.unnumbered_credits
        number = self._text("invoice_number", number_raw, 64, errors, not unnumbered)
        currency = self._field("currency", currency_raw, _parse_currency, errors, True)
        issue = self._field("issue_date", issue_raw, self._date, errors, True)
        if not due_raw and self.mapping.due_days is not None:
            due = issue + timedelta(days=self.mapping.due_days) if issue else None
        else:
            due = self._field("due_date", due_raw, self._date, errors, True)
        link = self._text("payment_link", link_raw, 500, errors)
        if link:
            link = self._field("payment_link", link, parse_payment_link, errors) or ""
        pdf = self._field("pdf", pdf_raw, check_pdf_reference, errors) or ""
        amount = self._field("amount", amount_raw, self._amount, errors, True)
        credit = self._field("credit", credit_raw, self._amount, errors)
        if amount is not None and credit is not None:  # a ledger's debit and credit columns
            amount -= credit
        by_balance = self.mapping.provides("balance")
        paid_or_balance = "balance" if by_balance else "amount_paid"
        other = self._field(
            paid_or_balance, balance_raw if by_balance else paid_raw, self._amount, errors
        )
        # The tool's own balance is the truth; its paid figure, when it gives one too, is
        # kept to show where the two disagree (a credit note allocated, say).
        reported = (
            self._field("amount_paid", paid_raw, self._amount, errors) if by_balance else None
        )
        lettering = self._text("lettering", letter_raw, 20, errors)

        status = self._field("status", status_raw, self._status, errors) or InvoiceStatus.OPEN
        if unnumbered or (type_raw and type_raw.casefold() in self.mapping.credit_note_types):
            # Tools that type their credit notes write their figures unsigned; a row without
            # a number where the mapping allows it is money held for the customer.
            amount = -abs(amount) if amount is not None else None
            other = -abs(other) if other is not None else None
            reported = -abs(reported) if reported is not None else None
        if unnumbered and issue and not errors:
            number = _credit_number(type_raw, issue, customer[0], amount_raw, balance_raw)

        amount_minor: int | None = 0
        paid_minor = 0
        reported_minor = None
        if currency and reported is not None:
            reported_minor = self._minor(reported, currency, "amount_paid", errors)
        if currency and amount is not None:
            amount_minor = self._minor(amount, currency, "amount", errors)
            if amount_minor == 0 and self._per_line_amount:
                errors.append(FieldError(self._column("amount"), phrase("is zero")))
        if currency and other is not None:
            other_minor = self._minor(other, currency, paid_or_balance, errors)
            if other_minor is not None and amount_minor:
                is_balance = paid_or_balance == "balance"
                paid_minor = amount_minor - other_minor if is_balance else other_minor
                if self._per_line_amount and not _between_zero_and(paid_minor, amount_minor):
                    errors.append(
                        FieldError(
                            self._column(paid_or_balance),
                            phrase("gives a payment below zero or above the invoice amount"),
                        )
                    )
        if issue and due and due < issue:
            errors.append(FieldError(self._column("due_date"), phrase("is before the issue date")))
        if errors:
            raise RowInvalid(errors)
        # each is None only when its field recorded an error
        assert currency is not None and issue is not None and due is not None
        assert amount_minor is not None
        return InvoiceLine(
            *customer,
            number,
            currency,
            amount_minor,
            paid_minor,
            issue,
            due,
            link,
            status,
            lettering,
            reported_minor,
            pdf,
        )

    def _status(self, raw: str) -> InvoiceStatus:
        statuses = self.mapping.statuses
        meaning = statuses.get(raw.casefold()) or statuses.get("*")  # `*`: any other text
        if meaning is None:
            known = ", ".join(sorted(self.mapping.statuses))
            raise Refused(
                phrase(
                    "{text} is not a status this mapping knows ({known})",
                    text=repr(raw),
                    known=known,
                )
            )
        return meaning

    def _date(self, raw: str) -> date:
        return parse_date(raw, self.mapping.date_formats)

    def _amount(self, raw: str) -> Decimal:
        return parse_amount(raw, self.mapping.decimal_separator)

    def _minor(
        self, amount: Decimal, currency: str, name: str, errors: list[FieldError]
    ) -> int | None:
        try:
            return to_minor(amount, currency)
        except AmountError as exc:
            errors.append(FieldError(self._column(name), exc.phrase))
            return None


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


def _credit_number(kind: str, issued: date, customer: str, amount: str, balance: str) -> str:
    """A stable number for a credit its tool left unnumbered (an overpayment, a prepayment):
    its kind and date, and a digest of who and how much, so a re-import finds it again."""
    digest = hashlib.sha256(f"{customer}\x1f{issued}\x1f{amount}\x1f{balance}".encode())
    return f"{(kind or 'Credit')[:30]} {issued.isoformat()} {digest.hexdigest()[:6].upper()}"


def parse_segment(text: str) -> str:
    """A segment's name as the policy writes it: letters, digits, '-' and '_', at most 40."""
    name = text.strip()
    if len(name) > 40 or not all(c.isalnum() or c in "-_" for c in name):
        raise Refused(
            phrase("{text} is not a segment name (letters, digits, - and _)", text=repr(text[:40]))
        )
    return name


def _parse_currency(raw: str) -> str:
    code = raw.strip().upper()
    if not is_currency(code):
        raise Refused(
            phrase(
                "{text} is not an ISO 4217 currency code in use (e.g. EUR, GBP, USD)",
                text=repr(raw),
            )
        )
    return code


def _between_zero_and(paid: int, amount: int) -> bool:
    """A payment on an invoice, or credit applied from a credit note (both signs negative)."""
    return 0 <= paid <= amount if amount >= 0 else amount <= paid <= 0
