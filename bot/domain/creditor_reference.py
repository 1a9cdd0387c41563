"""ISO 11649 structured creditor references ("RF" references), the one thing a customer quotes
on a transfer so that cash can be matched to what it pays without guessing.

A reference is derived from an invoice number (or a customer's account number for a demand
covering several invoices): its letters and digits, upper case, behind "RF" and two check
digits (ISO 7064 MOD 97-10, computed by python-stdnum). Anyone can recompute it from the
number, so nothing has to be stored: FA-2026-0106 → RF04FA20260106."""

from __future__ import annotations

from collections.abc import Sequence

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

#: ISO 11649 allows at most 21 characters after "RF" and the two check digits.
MAX_BODY = 21


def reference_body(number: str) -> str:
    """The letters and digits of `number`, upper case: what the reference carries."""
    return "".join(char for char in number.upper() if char.isascii() and char.isalnum())


def creditor_reference(number: str) -> str | None:
    """The RF reference for an invoice or account number, in its electronic form (no spaces),
    or None when the number has no letter or digit or more than 21 of them: no reference
    beats a truncated one that would match another invoice."""
    body = reference_body(number)
    if not body or len(body) > MAX_BODY:
        return None
    return "RF" + mod_97_10.calc_check_digits(body + "RF") + body


def printed(reference: str) -> str:
    """The reference as printed for a person: groups of four ("RF04 FA20 2601 06")."""
    return str(iso11649.format(reference))


def is_valid(reference: str) -> bool:
    """Whether `reference` (spaces allowed) is a well-formed RF reference with right check
    digits: a typo in a customer's transfer is caught here, never matched to a neighbour."""
    return bool(iso11649.is_valid(reference))


def body_of(reference: str) -> str | None:
    """What a valid reference carries (the invoice's letters and digits), else None."""
    if not is_valid(reference):
        return None
    return str(iso11649.compact(reference))[4:]


def reference_to_quote(invoice_numbers: Sequence[str], account_number: str) -> str:
    """What a transfer paying `invoice_numbers` quotes (electronic form): the invoice's own RF
    reference for one invoice, the customer account's for several (each invoice's is listed
    beside it). A number no reference can carry falls back to the number itself, as written."""
    one = invoice_numbers[0] if len(invoice_numbers) == 1 else account_number
    return creditor_reference(one) or one
