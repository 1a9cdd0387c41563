"""Aging: how late an invoice is, and which bucket of the aging report it falls in."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class Bucket(StrEnum):
    NOT_DUE = "not yet due"
    DAYS_1_30 = "1–30"
    DAYS_31_60 = "31–60"
    DAYS_61_90 = "61–90"
    OVER_90 = "over 90"


#: Buckets in report order, each with the least and most days overdue it holds.
BUCKET_RANGES: tuple[tuple[Bucket, int, int | None], ...] = (
    (Bucket.NOT_DUE, -(10**6), 0),
    (Bucket.DAYS_1_30, 1, 30),
    (Bucket.DAYS_31_60, 31, 60),
    (Bucket.DAYS_61_90, 61, 90),
    (Bucket.OVER_90, 91, None),
)


def days_overdue(due: date, today: date) -> int:
    """Days past the due date; zero or negative means not yet late."""
    return (today - due).days


def bucket_for(days: int) -> Bucket:
    for bucket, _least, most in BUCKET_RANGES:
        if most is None or days <= most:
            return bucket
    raise AssertionError("unreachable: the last bucket is open-ended")


def due_date_floor(today: date, bucket: Bucket) -> date | None:
    """The earliest due date in `bucket` as of `today` (None when the bucket is open-ended).

    Lets the database sort invoices into buckets by comparing dates, which every SQL dialect
    does the same way, instead of subtracting them, which each does differently.
    """
    for candidate, _least, most in BUCKET_RANGES:
        if candidate is bucket:
            return None if most is None else today - timedelta(days=most)
    raise ValueError(bucket)
