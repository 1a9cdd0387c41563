"""The variables a reminder template sees, already formatted for the customer's locale.

Templates get strings, never raw numbers or dates, so a translator cannot format an amount the
wrong way: `1 234,56 €` for a French customer, `£1,234.56` for a British one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from bot.domain.aging import days_overdue
from bot.domain.bank import BankAccount, account_for
from bot.domain.calendar import add_business_days
from bot.domain.company import CompanyIdentity
from bot.domain.creditor_reference import (
    creditor_reference,
    is_valid,
    printed,
    reference_to_quote,
)
from bot.domain.escalation import OpenItem, Suggestion
from bot.domain.late_payment import LateCharges, Law, LawBook, ReferenceRates, late_charges
from bot.domain.money import Money, minor_digits, totals_by_currency
from bot.rendering.addressing import addressing
from bot.rendering.locale import customer_locale, long_date, money, percent, table_date


@dataclass(frozen=True)
class Sender:
    company: str
    contact_name: str
    email: str
    phone: str
    bank_details: str = ""  # the reminder's own accounts, written out (see `how_to_pay`)
    identity: CompanyIdentity | None = None  # the legal identity at the foot of every text
    signatory: str = ""  # who signs the letter (empty: the contact)
    signatory_title: str = ""


@dataclass(frozen=True)
class Addressee:
    name: str
    contact_name: str
    language: str
    country: str
    governing_law: str = ""  # the country whose late-payment law applies; "" for none
    salutation: str = ""  # "Mrs", "Frau", "Sra.", "Madame" as imported; "" for none
    account_number: str = ""  # the customer's id in the ledger: the reference of a demand


def _discount(
    suggestion: Suggestion, country: str, locale: str, today: date, days: int
) -> dict[str, str] | None:
    """The early-payment offer of a stage that opted in: how much off, until when."""
    rate = suggestion.stage.discount_percent
    if not rate:
        return None
    totals = totals_by_currency([i.balance for i in suggestion.invoices])
    off = [
        Money(
            (t.amount * rate / 100).quantize(
                Decimal(1).scaleb(-minor_digits(t.currency)), rounding=ROUND_HALF_UP
            ),
            t.currency,
        )
        for t in totals
    ]
    return {
        "percent": percent(rate, locale),
        "amount": " + ".join(money(o, locale) for o in off),
        "total_after": " + ".join(
            money(Money(t.amount - o.amount, t.currency), locale)
            for t, o in zip(totals, off, strict=True)
        ),
        "pay_by": long_date(add_business_days(today, days, country), locale),
    }


def printed_reference(number: str) -> str:
    """An invoice's RF reference as a person reads it (groups of four), or its number when no
    reference can carry it."""
    reference = creditor_reference(number)
    return printed(reference) if reference else number


def demand_reference(numbers: list[str], account_number: str) -> str:
    """The reference a transfer paying all of `numbers` quotes, as a person reads it: the one
    the page and its payment code carry too."""
    reference = reference_to_quote(numbers, account_number) or " ".join(numbers)
    return printed(reference) if is_valid(reference) else reference


@dataclass(frozen=True)
class HowToPay:
    """The ways to pay one reminder: one online link when all its invoices share it, else each
    invoice's link; the bank account of each of its currencies, and the currencies that have
    none (a wrong account is worse than none: staff are told on the card)."""

    payment_link: str
    payment_links: list[dict[str, str]]
    bank_accounts: list[BankAccount]
    no_account_for: list[str]

    @property
    def bank_details(self) -> str:
        if len(self.bank_accounts) == 1:
            return self.bank_accounts[0].details
        return "; ".join(f"{a.currency}: {a.details}" for a in self.bank_accounts)


def how_to_pay(suggestion: Suggestion, accounts: Mapping[str, BankAccount]) -> HowToPay:
    links = {i.payment_link for i in suggestion.invoices}
    single = links.pop() if len(links) == 1 else ""
    currencies = sorted({i.currency for i in suggestion.invoices})
    found = [(c, account_for(accounts, c)) for c in currencies]
    return HowToPay(
        payment_link=single,
        payment_links=[]
        if single
        else [
            {"number": i.number, "link": i.payment_link}
            for i in suggestion.invoices
            if i.payment_link
        ],
        bank_accounts=[a for _c, a in found if a is not None],
        no_account_for=[c for c, a in found if a is None],
    )


class Owed(Protocol):
    """An invoice as the charges see it (a suggestion's item, a stored reminder's line)."""

    @property
    def number(self) -> str: ...
    @property
    def balance(self) -> Money: ...
    @property
    def due_date(self) -> date: ...


def charges_for(
    invoices: Iterable[Owed], law: Law | None, today: date, rates: Mapping[str, ReferenceRates]
) -> list[LateCharges]:
    """Statutory charges on the invoices a reminder carries: none on one not past due. The
    final notice, its letter and the card's legal part all take theirs from here."""
    found = (
        late_charges(
            invoice_number=i.number,
            debt=i.balance,
            due_date=i.due_date,
            on=today,
            law=law,
            rates=rates,
        )
        for i in invoices
    )
    return [c for c in found if c is not None]


def claimed(balances: Iterable[Money], charges: list[LateCharges]) -> list[Money]:
    """What a final notice claims, by currency: the balances, the interest and the fixed
    compensation where it is added."""
    return totals_by_currency(
        [
            *balances,
            *(c.interest for c in charges),
            *(c.compensation for c in charges if c.compensation),
        ]
    )


def charges_warnings(charges: list[LateCharges]) -> list[str]:
    """What the person approving must know about the charges: a rate past its table's `as_of`,
    a fixed sum left out for its currency. Staff-facing, in English."""
    warnings = []
    for c in charges:
        if c.stale_as_of:
            table = c.law.reference
            warnings.append(
                f"{c.invoice_number}: the {table} rate table is known up to "
                f"{c.stale_as_of.isoformat()}; a later period is charged at the last rate known"
            )
        if c.compensation_note:
            warnings.append(f"{c.invoice_number}: {c.compensation_note}")
    return list(dict.fromkeys(warnings))


def _charges_context(
    charges: list[LateCharges], law: Law | None, language: str, locale: str
) -> dict[str, Any]:
    return {
        "charges": [
            {
                "number": c.invoice_number,
                "days": c.days,
                "periods": [
                    {
                        "start": long_date(p.start, locale),
                        "end": long_date(p.end, locale),
                        "days": p.days,
                        "rate": percent(p.rate, locale),
                    }
                    for p in c.periods
                ],
                "interest": money(c.interest, locale),
                "compensation": money(c.compensation, locale) if c.compensation else "",
            }
            for c in charges
        ],
        "charges_law": law.citation(language) if law and charges else "",
    }


def reminder_context(
    *,
    addressee: Addressee,
    suggestion: Suggestion,
    sender: Sender,
    today: date,
    laws: LawBook,
    final_notice_days: int = 8,
    discount_days: int = 7,
    bank_accounts: Mapping[str, BankAccount] | None = None,
    customer_page_url: str = "",
) -> dict[str, Any]:
    locale = customer_locale(addressee.language, addressee.country)
    invoices = [_chased(i, locale, today) for i in suggestion.invoices]
    law = laws.law(addressee.governing_law)
    charges = (
        charges_for(suggestion.invoices, law, today, laws.rates)
        if suggestion.stage.late_payment_rights
        else []
    )
    return {
        "locale": locale,
        "customer_name": addressee.name,
        "contact_name": addressee.contact_name or addressee.name,
        "contact_person": addressee.contact_name,  # "" when the ledger names no one
        **addressing(addressee.salutation, addressee.contact_name),
        "invoices": invoices,
        "count": len(invoices),
        "answered": suggestion.answered,  # never say "unanswered" when they answered
        "reminder_number": suggestion.reminder_number,
        "days_overdue": suggestion.days_overdue,
        **_totals(suggestion, charges, locale),
        **_paying_context(addressee, suggestion, sender, bank_accounts or {}),
        "customer_page_url": customer_page_url,
        "today": long_date(today, locale),
        "deadline": long_date(
            add_business_days(today, final_notice_days, addressee.country), locale
        ),
        **_charges_context(charges, law, addressee.language, locale),
        "charges_warnings": charges_warnings(charges),
        "coming_due": [_item(i, locale) for i in suggestion.coming_due],
        # credit notes in the customer's favour, netted from the total of their currency
        "credits": [
            {
                "number": c.number,
                "amount": money(c.amount, locale),
                "issued": long_date(c.issued, locale),
            }
            for c in suggestion.credits
        ],
        "discount": _discount(suggestion, addressee.country, locale, today, discount_days),
    }


def _item(item: OpenItem, locale: str) -> dict[str, Any]:
    """An invoice as a template lists it."""
    return {
        "number": item.number,
        "balance": money(item.balance, locale),
        "due_date": long_date(item.due_date, locale),
        "payment_link": item.payment_link,
        "reference": printed_reference(item.number),
    }


def _chased(item: OpenItem, locale: str, today: date) -> dict[str, Any]:
    """An invoice the reminder chases: as listed, with how late it is and, for the letter's
    table, both dates in the locale's shorter form."""
    return {
        **_item(item, locale),
        "issued_short": table_date(item.issued, locale) if item.issued else "",
        "due_short": table_date(item.due_date, locale),
        "days_late": max(0, days_overdue(item.due_date, today)),
    }


def _totals(suggestion: Suggestion, charges: list[LateCharges], locale: str) -> dict[str, str]:
    """What the invoices come to, per currency: as they are, with the charges claimed, and
    after the credit notes; and the one a deadline names."""
    balances = [i.balance for i in suggestion.invoices]
    credits = [Money(-c.amount.amount, c.currency) for c in suggestion.credits]
    total = " + ".join(money(t, locale) for t in totals_by_currency(balances))
    with_charges = " + ".join(money(t, locale) for t in claimed(balances, charges))
    after_credits = " + ".join(money(t, locale) for t in totals_by_currency(balances + credits))
    return {
        "total": total,
        "total_with_charges": with_charges,
        "total_after_credits": after_credits,
        # the one figure a deadline sentence names: with charges, else after credits
        "demanded": with_charges if charges else after_credits if suggestion.credits else total,
    }


def _paying_context(
    addressee: Addressee,
    suggestion: Suggestion,
    sender: Sender,
    bank_accounts: Mapping[str, BankAccount],
) -> dict[str, Any]:
    """How to pay: the links, the bank accounts (and why a holder is another entity, in the
    customer's language), and what to quote on a transfer."""
    paying = how_to_pay(suggestion, bank_accounts)
    return {
        # what to quote on a transfer: the invoice's RF reference, or the account's for several
        "reference": demand_reference(
            [i.number for i in suggestion.invoices], addressee.account_number
        ),
        "payment_link": paying.payment_link,
        "payment_links": paying.payment_links,
        "bank_accounts": paying.bank_accounts,
        "holder_notes": {
            a.currency: a.holder_note(addressee.language) for a in paying.bank_accounts
        },
        "no_bank_account_for": paying.no_account_for,
        "sender": replace(sender, bank_details=paying.bank_details),
    }
