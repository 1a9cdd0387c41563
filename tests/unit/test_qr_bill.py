"""A Swiss account's customers get a QR-bill on their page (Swiss Payment Standards): its QR code
carries the account, the holder's address, the exact amount and the reference to quote; other
euro accounts keep the EPC QR code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.config import PROJECT_ROOT, Settings, load_bank_accounts
from bot.domain.money import Money
from bot.services.page.customer_page import PageData, PageInvoice
from bot.web.qr import swiss_qr_bill
from bot.web.view import payments
from bot.web.words import words


def page(currency: str) -> PageData:
    amount = Money(Decimal("1234.50"), currency)
    invoice = PageInvoice(
        "R-7", date(2026, 9, 1), date(2026, 10, 1), amount, amount, 56, "", False, None, True
    )
    return PageData(
        "C-CH", "Uhren AG", "", "", "", "de", "CH", [invoice], [], [amount], date(2026, 11, 25)
    )


def test_a_swiss_franc_debt_gets_a_qr_bill_with_amount_account_and_reference() -> None:
    settings = Settings(bank_accounts=load_bank_accounts())
    _language, texts = words(PROJECT_ROOT / "templates", "de")
    (payment,) = payments(page("CHF"), settings, texts, "de_CH", "de")
    assert payment.swiss and payment.qr is not None
    assert 'role="img"' in payment.qr and "Schweizer QR-Rechnung" in payment.qr
    account = settings.bank_accounts["CHF"]
    fields = swiss_qr_bill(account, Decimal("1234.50"), "CHF", "R-7", "de").qr_data().split("\r\n")
    assert fields[:3] == ["SPC", "0200", "1"]
    assert fields[3] == "CH9300762011623852957"
    assert fields[5:11] == ["Relance Demo SA", "Rue du Lac", "1", "1003", "Lausanne", "CH"]
    assert fields[18:20] == ["1234.50", "CHF"]
    assert "R-7" in fields and fields[-1] == "EPD"
    # the page's reference is the invoice's RF one: a creditor reference (SCOR), checked
    assert payment.reference == "RF91 R7"
    scor = swiss_qr_bill(account, Decimal("1234.50"), "CHF", "RF91R7", "de").qr_data()
    assert scor.split("\r\n")[27:29] == ["SCOR", "RF91R7"]


def test_a_euro_debt_to_a_french_account_keeps_the_epc_code() -> None:
    settings = Settings(bank_accounts=load_bank_accounts())
    _language, texts = words(PROJECT_ROOT / "templates", "fr")
    (payment,) = payments(page("EUR"), settings, texts, "fr_FR", "fr")
    assert not payment.swiss and payment.qr is not None and "EPC" in payment.qr_label
