"""The EPC QR code: the payload EPC069-12 describes, and the drawn code decoded back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import segno
import zxingcpp
from PIL import Image

from bot.domain.epc_qr import EpcError, epc_payload

IBAN = "FR76 3000 6000 0112 3456 7890 189"


def test_the_payload_has_the_fixed_lines_of_a_sepa_transfer() -> None:
    payload = epc_payload(
        name="Relance Demo SAS",
        iban=IBAN,
        bic="AGRIFRPP",
        amount=Decimal("1599.90"),
        reference="F-101 F-102 F-103",
    )
    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "AGRIFRPP",
        "Relance Demo SAS",
        "FR7630006000011234567890189",
        "EUR1599.90",
        "",
        "",
        "F-101 F-102 F-103",
    ]


@pytest.mark.parametrize(
    ("amount", "iban", "reference"),
    [
        (Decimal("0"), IBAN, "F-1"),
        (Decimal("1000000000.00"), IBAN, "F-1"),
        (Decimal("1.005"), IBAN, "F-1"),
        (Decimal("10"), "not an iban", "F-1"),
        (Decimal("10"), IBAN, "x" * 141),
        (Decimal("10"), IBAN, ""),
    ],
)
def test_what_the_format_cannot_carry_is_refused(
    amount: Decimal, iban: str, reference: str
) -> None:
    with pytest.raises(EpcError):
        epc_payload(name="Relance Demo SAS", iban=iban, amount=amount, reference=reference)


def decode_epc(png: bytes) -> dict[str, str]:
    """The transfer a banking app reads from an image of the code."""
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    lines = found.text.split("\n")
    return {"iban": lines[6], "amount": lines[7], "reference": lines[10], "name": lines[5]}


def test_the_drawn_code_decodes_to_the_exact_amount_iban_and_reference() -> None:
    payload = epc_payload(
        name="Müller & Söhne",
        iban=IBAN,
        amount=Decimal("12345.67"),
        reference="F-2026/0042",
    )
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False, boost_error=False).save(out, kind="png", scale=6)
    assert decode_epc(out.getvalue()) == {
        "iban": "FR7630006000011234567890189",
        "amount": "EUR12345.67",
        "reference": "F-2026/0042",
        "name": "Müller & Söhne",
    }


def test_an_rf_reference_goes_in_the_structured_line_and_nothing_after_it() -> None:
    """EPC069-12 v3.0 §3.4: a structured creditor reference (ISO 11649) or an unstructured
    text, never both; the last line carries no trailing line feed."""
    payload = epc_payload(
        name="Relance Demo SAS", iban=IBAN, amount=Decimal("556.68"), reference="RF04 FA20 2601 06"
    )
    assert payload.split("\n")[8:] == ["", "RF04FA20260106"]
    assert not payload.endswith("\n")
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False, boost_error=False).save(out, kind="png", scale=6)
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(out.getvalue())).convert("L"))
    assert found.text.split("\n")[7:] == ["EUR556.68", "", "RF04FA20260106"]
