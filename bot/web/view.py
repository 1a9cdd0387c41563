"""From the page's data to what its template shows: amounts and dates in the reader's locale,
and how to pay each currency (its bank account, the reference, the EPC QR code for euros, the
QR-bill for a Swiss account)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import Markup

from bot.channels.logo import read_logo
from bot.config import Settings
from bot.domain.bank import account_for
from bot.domain.creditor_reference import is_valid, printed, reference_to_quote
from bot.domain.due_now import after_declared
from bot.domain.epc_qr import EpcError, epc_payload
from bot.domain.money import totals_by_currency
from bot.rendering.context import printed_reference
from bot.rendering.locale import customer_locale, long_date, money
from bot.services.page.customer_page import (
    MAX_REMITTANCE_REFERENCE,
    PageData,
    PageInvoice,
)
from bot.services.page.page_requests import PlanProposal
from bot.web.qr import qr_bill_svg, qr_svg, swiss_qr_bill


@dataclass(frozen=True)
class Payment:
    currency: str
    total: str
    holder: str
    holder_note: str  # why another entity holds the account
    details: str
    iban: str  # compact, for the copy button ("" for an account without one)
    reference: str
    qr: Markup | None
    qr_label: str
    links: list[tuple[str, str]]  # (invoice number, payment link)
    swiss: bool = False  # the code is a Swiss QR-bill's payment part, not an EPC QR code


def reference_for(data: PageData, currency: str) -> str:
    """The RF reference to quote for what is due now in `currency`: the invoice's own for one,
    the customer account's for several (domain/creditor_reference.py)."""
    due = [i.number for i in data.invoices if i.due_now and i.balance.currency == currency]
    return reference_to_quote(due, data.customer_ref)[:MAX_REMITTANCE_REFERENCE]


def payments(
    data: PageData, settings: Settings, words: dict[str, str], locale: str, language: str = "en"
) -> list[Payment]:
    """How to pay what is due now, by currency; a payment the customer declared and that is
    being checked is not asked for again (its code asks for what remains, or is withheld)."""
    out = []
    for due in data.totals:
        total = after_declared(due, data.declared)
        account = account_for(settings.bank_accounts, total.currency)
        reference = reference_for(data, total.currency)
        shown = money(total, locale)
        qr, label = None, ""
        if total.amount <= 0:
            pass  # all of it declared paid: nothing to scan until it is checked
        elif account is not None and account.swiss and total.currency in ("CHF", "EUR"):
            try:
                bill = swiss_qr_bill(account, total.amount, total.currency, reference, language)
            except ValueError:  # qrbill refuses what the standard does not allow
                bill = None
            if bill is not None:
                label = words["qr_bill_label"].format(
                    amount=shown, reference=printed_ref(reference)
                )
                qr = qr_bill_svg(bill, label)
        elif account is not None and account.iban and total.currency == "EUR":
            try:
                payload = epc_payload(
                    name=account.holder,
                    iban=account.iban,
                    bic=account.bic,
                    amount=total.amount,
                    reference=reference,
                )
            except EpcError:
                payload = ""
            if payload:
                label = words["qr_label"].format(amount=shown, reference=printed_ref(reference))
                qr = qr_svg(payload, label)
        out.append(
            Payment(
                currency=total.currency,
                total=shown,
                holder=account.holder if account else "",
                holder_note=account.holder_note(language) if account else "",
                details=account.details if account else "",
                iban=(account.iban or "").replace(" ", "") if account else "",
                reference=printed_ref(reference),
                qr=qr,
                qr_label=label,
                links=[
                    (i.number, i.payment_link)
                    for i in data.invoices
                    if i.payment_link and i.due_now and i.balance.currency == total.currency
                ],
                swiss=qr is not None and account is not None and account.swiss,
            )
        )
    return out


def printed_ref(reference: str) -> str:
    """An RF reference in groups of four for a person; anything else as it is."""
    return printed(reference) if is_valid(reference) else reference


def logo_data_uri(path: Path | None) -> str:
    """The company's logo inline (the page loads nothing from elsewhere), else none."""
    logo = read_logo(path)
    if logo is None:
        return ""
    return f"data:{logo.kind.mime};base64,{base64.b64encode(logo.content).decode()}"


def plan_rows(plan: PlanProposal, locale: str) -> list[dict[str, str]]:
    """A proposed plan's instalments as the customer reads them."""
    return [
        {"due": long_date(day, locale), "amount": money(amount, locale)}
        for day, amount in plan.instalments
    ]


def page_context(
    data: PageData, settings: Settings, words: dict[str, str], language: str, today: date
) -> dict[str, Any]:
    locale = customer_locale(language, data.country)

    def row(i: PageInvoice) -> dict[str, Any]:
        amount = money(i.amount, locale)  # Babel's formatting is most of the page's cost:
        return {  # an unpaid invoice's balance is its amount, formatted once
            "number": i.number,
            "issued": long_date(i.issue_date, locale),
            "due": long_date(i.due_date, locale),
            "amount": amount,
            "balance": amount if i.balance == i.amount else money(i.balance, locale),
            "days_late": i.days_late,
            "disputed": i.disputed,
            "promised": long_date(i.promised, locale) if i.promised else "",
            "due_now": i.due_now,
            "reference": printed_reference(i.number),
            "pdf": bool(i.pdf),
        }

    return {
        "data": data,
        "invoices": [row(i) for i in data.invoices],
        "credits": [row(i) for i in data.credits],
        "totals": [money(t, locale) for t in data.totals],
        "coming": [
            money(t, locale)
            for t in totals_by_currency(
                i.balance
                for i in data.invoices
                if not i.due_now and not i.days_late and not i.disputed and i.promised is None
            )
        ],
        "payments": payments(data, settings, words, locale, language),
        "today": today.isoformat(),
        "logo": logo_data_uri(settings.company_logo),
        "declared": (
            {
                "on": long_date(data.declared.on, locale),
                "amount": money(data.declared.amount, locale),
            }
            if data.declared
            else None
        ),
    }
