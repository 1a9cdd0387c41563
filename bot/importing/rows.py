"""Validating one invoice line: every field checked, every problem named, nothing guessed."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple, TypeVar

from bot.domain.copies import check_pdf_reference
from bot.domain.money import AmountError, parse_amount, to_minor
from bot.domain.msgid import Phrase, Refused, phrase, verbatim
from bot.domain.owners import parse_owner
from bot.domain.states import InvoiceStatus
from bot.importing.fields import (
    country_timezone,
    parse_country,
    parse_currency,
    parse_date,
    parse_email,
    parse_language,
    parse_payment_link,
    parse_segment,
    parse_timezone,
    text_refusal,
)
from bot.importing.mapping import CUSTOMER_FIELDS, FIELDS, Mapping

T = TypeVar("T")

# Unicode bidirectional controls (embeddings, overrides, isolates, marks) reorder what a reader
# sees, so an invoice number or a link can display as something else ("Trojan Source",
# CVE-2021-42574): refused in every field.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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


class _Cells(NamedTuple):
    """An invoice line's own cells, as text, in INVOICE_FIELDS order."""

    number: str
    currency: str
    amount: str
    paid: str
    balance: str
    issue: str
    due: str
    link: str
    status: str
    type: str
    credit: str
    lettering: str
    pdf: str


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
        self._by_balance = mapping.provides("balance")
        self._paid_or_balance = "balance" if self._by_balance else "amount_paid"

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
        refusal = text_refusal(raw, limit, multiline)
        if refusal is not None:
            errors.append(FieldError(self._column(name), refusal))
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
        cells = _Cells(*raw[split:])
        errors = [*customer_errors, *self._bidi_errors(raw)]
        unnumbered = not cells.number and self.mapping.unnumbered_credits
        number = self._text("invoice_number", cells.number, 64, errors, not unnumbered)
        currency = self._field("currency", cells.currency, parse_currency, errors, True)
        issue = self._field("issue_date", cells.issue, self._date, errors, True)
        if not cells.due and self.mapping.due_days is not None:
            due = issue + timedelta(days=self.mapping.due_days) if issue else None
        else:
            due = self._field("due_date", cells.due, self._date, errors, True)
        link = self._text("payment_link", cells.link, 500, errors)
        if link:
            link = self._field("payment_link", link, parse_payment_link, errors) or ""
        pdf = self._field("pdf", cells.pdf, check_pdf_reference, errors) or ""
        figures = self._figures(cells, errors)
        lettering = self._text("lettering", cells.lettering, 20, errors)
        status = self._field("status", cells.status, self._status, errors) or InvoiceStatus.OPEN
        if unnumbered or (cells.type and cells.type.casefold() in self.mapping.credit_note_types):
            # Tools that type their credit notes write their figures unsigned; a row without
            # a number where the mapping allows it is money held for the customer.
            amount, other, reported = (-abs(f) if f is not None else None for f in figures)
            figures = amount, other, reported
        if unnumbered and issue and not errors:
            number = _credit_number(cells.type, issue, customer[0], cells.amount, cells.balance)
        amount_minor, paid_minor, reported_minor = self._in_minor(currency, *figures, errors)
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

    def _bidi_errors(self, raw: list[str]) -> list[FieldError]:
        bidi = _BIDI.search("".join(raw))
        if not bidi:
            return []
        return [
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

    def _figures(
        self, cells: _Cells, errors: list[FieldError]
    ) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        """The amount (less a ledger's credit column), the paid or balance figure the mapping
        reads, and the tool's paid figure when it gives a balance too."""
        amount = self._field("amount", cells.amount, self._amount, errors, True)
        credit = self._field("credit", cells.credit, self._amount, errors)
        if amount is not None and credit is not None:  # a ledger's debit and credit columns
            amount -= credit
        other = self._field(
            self._paid_or_balance,
            cells.balance if self._by_balance else cells.paid,
            self._amount,
            errors,
        )
        # The tool's own balance is the truth; its paid figure, when it gives one too, is
        # kept to show where the two disagree (a credit note allocated, say).
        reported = (
            self._field("amount_paid", cells.paid, self._amount, errors)
            if self._by_balance
            else None
        )
        return amount, other, reported

    def _in_minor(
        self,
        currency: str | None,
        amount: Decimal | None,
        other: Decimal | None,
        reported: Decimal | None,
        errors: list[FieldError],
    ) -> tuple[int | None, int, int | None]:
        """The amount, the paid part and the tool's paid figure in minor units, each checked."""
        if not currency:
            return 0, 0, None
        amount_minor: int | None = 0
        paid_minor = 0
        reported_minor = None
        if reported is not None:
            reported_minor = self._minor(reported, currency, "amount_paid", errors)
        if amount is not None:
            amount_minor = self._minor(amount, currency, "amount", errors)
            if amount_minor == 0 and self._per_line_amount:
                errors.append(FieldError(self._column("amount"), phrase("is zero")))
        if other is not None:
            other_minor = self._minor(other, currency, self._paid_or_balance, errors)
            if other_minor is not None and amount_minor:
                paid_minor = amount_minor - other_minor if self._by_balance else other_minor
                if self._per_line_amount and not _between_zero_and(paid_minor, amount_minor):
                    errors.append(
                        FieldError(
                            self._column(self._paid_or_balance),
                            phrase("gives a payment below zero or above the invoice amount"),
                        )
                    )
        return amount_minor, paid_minor, reported_minor

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


def _credit_number(kind: str, issued: date, customer: str, amount: str, balance: str) -> str:
    """A stable number for a credit its tool left unnumbered (an overpayment, a prepayment):
    its kind and date, and a digest of who and how much, so a re-import finds it again."""
    digest = hashlib.sha256(f"{customer}\x1f{issued}\x1f{amount}\x1f{balance}".encode())
    return f"{(kind or 'Credit')[:30]} {issued.isoformat()} {digest.hexdigest()[:6].upper()}"


def _between_zero_and(paid: int, amount: int) -> bool:
    """A payment on an invoice, or credit applied from a credit note (both signs negative)."""
    return 0 <= paid <= amount if amount >= 0 else amount <= paid <= 0
