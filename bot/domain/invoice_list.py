"""A list of invoice numbers as one text: their numbers in order, joined by commas. How an
audit event records its list (the text its hash covers; `audit_event_invoice` indexes it by
whole number) and how a reminder's list reads as one text. The lists themselves are rows
(`reminder_invoice`, `plan_invoice`), where a number may hold a comma. Written only here."""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = ","


def joined(numbers: Iterable[str]) -> str:
    return SEPARATOR.join(numbers)
