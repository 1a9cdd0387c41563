from datetime import date, timedelta

import pytest

from bot.domain.aging import Bucket, bucket_for, days_overdue, due_date_floor

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, Bucket.NOT_DUE),
        (0, Bucket.NOT_DUE),
        (1, Bucket.DAYS_1_30),
        (30, Bucket.DAYS_1_30),
        (31, Bucket.DAYS_31_60),
        (60, Bucket.DAYS_31_60),
        (61, Bucket.DAYS_61_90),
        (90, Bucket.DAYS_61_90),
        (91, Bucket.OVER_90),
        (4000, Bucket.OVER_90),
    ],
)
def test_bucket_boundaries(days: int, bucket: Bucket) -> None:
    assert bucket_for(days) is bucket


def test_due_today_is_not_late() -> None:
    assert days_overdue(TODAY, TODAY) == 0
    assert days_overdue(TODAY - timedelta(days=1), TODAY) == 1


@pytest.mark.parametrize("bucket", list(Bucket))
def test_date_floors_agree_with_day_counts(bucket: Bucket) -> None:
    floor = due_date_floor(TODAY, bucket)
    if floor is None:
        assert bucket is Bucket.OVER_90
        return
    assert bucket_for(days_overdue(floor, TODAY)) is bucket
    assert bucket_for(days_overdue(floor - timedelta(days=1), TODAY)) is not bucket
