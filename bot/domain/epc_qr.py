"""The EPC QR code ("GiroCode") payload: a SEPA credit transfer a banking app can prefill.

The format is the European Payments Council's EPC069-12 ("Quick Response Code: guidelines to
enable data capture for the initiation of a SEPA credit transfer", version 3.0): fixed lines
separated by line feeds; version 002 makes the BIC optional inside the EEA; character set 1 is
UTF-8; the amount is "EUR" followed by the amount with a dot and at most two decimals
(0.01 to 999999999.99); an unstructured remittance text of at most 140 characters carries the
reference, or the structured-reference line an ISO 11649 RF reference (which the bank checks and
passes on untouched) and no text after it; at most 331 bytes.
"""

from __future__ import annotations

from decimal import Decimal

from bot.domain.creditor_reference import is_valid

MAX_BYTES = 331
MAX_NAME = 70
MAX_REMITTANCE = 140


class EpcError(ValueError):
    """A transfer the EPC QR format cannot carry."""


def _clean(value: str, limit: int, what: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise EpcError(f"the {what} is empty")
    if len(text) > limit:
        raise EpcError(f"the {what} is longer than {limit} characters")
    return text


def epc_payload(
    *, name: str, iban: str, amount: Decimal, reference: str, bic: str | None = None
) -> str:
    """The text to encode: a euro transfer of `amount` to `iban`, quoting `reference` (an RF
    reference goes in the structured line, anything else in the unstructured one)."""
    iban = iban.replace(" ", "").upper()
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:].isalnum()):
        raise EpcError(f"{iban!r} is not an IBAN")
    if not Decimal("0.01") <= amount <= Decimal("999999999.99"):
        raise EpcError(f"{amount} is outside what an EPC QR code can carry")
    if amount != amount.quantize(Decimal("0.01")):
        raise EpcError(f"{amount} has more than two decimals")
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        (bic or "").replace(" ", "").upper(),
        _clean(name, MAX_NAME, "beneficiary name"),
        iban,
        f"EUR{amount.quantize(Decimal('0.01'))}",
        "",  # purpose code: none
    ]
    if is_valid(reference):  # structured, and then nothing after it (EPC069-12 §3.4)
        lines.append(reference.replace(" ", "").upper())
    else:
        lines += ["", _clean(reference, MAX_REMITTANCE, "reference")]
    payload = "\n".join(lines)
    if len(payload.encode()) > MAX_BYTES:
        raise EpcError("the transfer does not fit in an EPC QR code")
    return payload
