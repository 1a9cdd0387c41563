"""The payment codes drawn inline as SVG: the EPC QR code (segno) and the Swiss QR-bill's
payment part (qrbill). No image file, no third-party request."""

from __future__ import annotations

import io
from decimal import Decimal

import segno
from markupsafe import Markup, escape
from qrbill import QRBill

from bot.domain.bank import BankAccount
from bot.domain.creditor_reference import is_valid


def qr_svg(payload: str, label: str) -> Markup:
    """An accessible inline SVG; error correction M, as EPC069-12 asks."""
    code = segno.make(payload, error="m", micro=False, boost_error=False)
    svg = code.svg_inline(scale=4, border=4, dark="#000", light="#fff", title=label)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def swiss_qr_bill(
    account: BankAccount, amount: Decimal, currency: str, reference: str, language: str
) -> QRBill:
    """The QR-bill (Swiss Payment Standards) for a transfer to `account`: its QR code carries
    the amount and the reference, an RF one as a creditor reference (SCOR), anything else as
    unstructured information."""
    structured = is_valid(reference)
    return QRBill(
        account=(account.iban or "").replace(" ", ""),
        creditor={
            "name": account.holder,
            "street": account.street,
            "house_num": account.house_number,
            "pcode": account.postcode,
            "city": account.city,
            "country": account.country,
        },
        amount=f"{amount:.2f}",
        currency=currency,
        reference_number=reference if structured else None,
        additional_information="" if structured else reference,
        language=language if language in ("en", "fr", "de", "it") else "en",
    )


def qr_bill_svg(bill: QRBill, label: str) -> Markup:
    """The payment slip (receipt and payment part) as an inline, labelled SVG."""
    out = io.StringIO()
    bill.as_svg(out)
    svg = out.getvalue().split("?>", 1)[-1].strip()  # no XML declaration inside HTML
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
