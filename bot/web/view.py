"""From the page's data to what its template shows: amounts and dates in the reader's locale,
and how to pay each currency (its bank account, the reference, the EPC QR code for euros, the
QR-bill for a Swiss account)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from bot.config import Settings
from bot.domain.bank import account_for
from bot.domain.epc_qr import EpcError, epc_payload
from bot.rendering.locale import customer_locale, long_date, money
from bot.services.customer_page import MAX_REMITTANCE_REFERENCE, PageData, PageInvoice
from bot.web.qr import qr_bill_svg, qr_svg, swiss_qr_bill


@dataclass(frozen=True)
class Payment:
    currency: str
    total: str
    holder: str
    details: str
    reference: str
    qr: Markup | None
    qr_label: str
    links: list[tuple[str, str]]  # (invoice number, payment link)
    swiss: bool = False  # the code is a Swiss QR-bill's payment part, not an EPC QR code


def reference_for(data: PageData, currency: str) -> str:
    """The invoice numbers when they fit a transfer's remittance line, else the customer's id."""
    numbers = " ".join(i.number for i in data.invoices if i.balance.currency == currency)
    if numbers and len(numbers) <= MAX_REMITTANCE_REFERENCE:
        return numbers
    return data.customer_ref


def payments(
    data: PageData, settings: Settings, words: dict[str, str], locale: str, language: str = "en"
) -> list[Payment]:
    out = []
    for total in data.totals:
        if total.amount <= 0:
            continue
        account = account_for(settings.bank_accounts, total.currency)
        reference = reference_for(data, total.currency)
        shown = money(total, locale)
        qr, label = None, ""
        if account is not None and account.swiss and total.currency in ("CHF", "EUR"):
            try:
                bill = swiss_qr_bill(account, total.amount, total.currency, reference, language)
            except ValueError:  # qrbill refuses what the standard does not allow
                bill = None
            if bill is not None:
                label = words["qr_bill_label"].format(amount=shown, reference=reference)
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
                label = words["qr_label"].format(amount=shown, reference=reference)
                qr = qr_svg(payload, label)
        out.append(
            Payment(
                currency=total.currency,
                total=shown,
                holder=account.holder if account else "",
                details=account.details if account else "",
                reference=reference,
                qr=qr,
                qr_label=label,
                links=[
                    (i.number, i.payment_link)
                    for i in data.invoices
                    if i.payment_link and i.balance.currency == total.currency
                ],
                swiss=qr is not None and account is not None and account.swiss,
            )
        )
    return out


def page_context(
    data: PageData, settings: Settings, words: dict[str, str], language: str, today: date
) -> dict:
    locale = customer_locale(language, data.country)

    def row(i: PageInvoice) -> dict:
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
            "pdf": bool(i.pdf),
        }

    return {
        "data": data,
        "invoices": [row(i) for i in data.invoices],
        "credits": [row(i) for i in data.credits],
        "totals": [money(t, locale) for t in data.totals],
        "payments": payments(data, settings, words, locale, language),
        "today": today.isoformat(),
    }
