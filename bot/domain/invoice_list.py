"""The invoices a reminder, a plan or an audit event is about, as one stored text: their
numbers in order, joined by commas. Written and read only here, so the storage can change
(a join table) without touching the code that uses the numbers."""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = ","


def joined(numbers: Iterable[str]) -> str:
    return SEPARATOR.join(numbers)


def numbers(stored: str) -> tuple[str, ...]:
    """The numbers in their order; none for an empty text."""
    return tuple(stored.split(SEPARATOR)) if stored else ()
