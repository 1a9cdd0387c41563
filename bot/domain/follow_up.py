"""After payments come in: which pending reminders they make pointless, and which payments
deserve a thank-you."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date


def cancelled_by_payment(
    reminder_numbers: Collection[str], paid_now: Collection[str], still_open: Collection[str]
) -> bool:
    """A reminder not sent yet is cancelled when a payment just received touches it and none
    of its invoices is still owed; part paid, staff decide on the card."""
    numbers = set(reminder_numbers)
    return bool(numbers & set(paid_now)) and not numbers & set(still_open)


def deserves_thanks(due: date, run_date: date) -> bool:
    """A payment earns a thank-you when its invoice had fallen overdue."""
    return due < run_date
