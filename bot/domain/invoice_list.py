"""A list of invoice numbers as one text: their numbers in order, joined by commas. How a plan
and an audit event store theirs (an audit event's text is part of its hash), and how a
reminder's list (rows of `reminder_invoice`, where a number may hold a comma) reads as one text.
Written and read only here."""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = ","


def joined(numbers: Iterable[str]) -> str:
    return SEPARATOR.join(numbers)


def numbers(stored: str) -> tuple[str, ...]:
    """The numbers in their order; none for an empty text."""
    return tuple(stored.split(SEPARATOR)) if stored else ()
