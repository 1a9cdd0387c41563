"""A list of invoice numbers as one text: their numbers in order, joined by commas. How an
audit event records its list (the text its hash covers; `audit_event_invoice` indexes it by
whole number), how a dispute file keeps the invoices it was sent about, and how a reminder's
list reads as one text. Plans' and reminders' lists are rows (`plan_invoice`,
`reminder_invoice`), where a number may hold a comma. Written and read only here."""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = ","


def joined(numbers: Iterable[str]) -> str:
    return SEPARATOR.join(numbers)


def numbers(stored: str) -> tuple[str, ...]:
    """The numbers in their order; none for an empty text."""
    return tuple(stored.split(SEPARATOR)) if stored else ()
