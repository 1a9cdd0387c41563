"""Days sales outstanding by the countback method: how many days of the most recent sales the
receivables represent, counting back month by month from today."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal


def month_periods(today: date, months: int = 12) -> list[tuple[date, date]]:
    """(first, last) day of the current month to date, then of each full month before it:
    the periods the countback walks through."""
    periods, end = [], today
    for _ in range(months):
        start = end.replace(day=1)
        periods.append((start, end))
        end = start - timedelta(days=1)
    return periods


def countback_dso(receivable: Decimal, periods: list[tuple[int, Decimal]]) -> Decimal | None:
    """`periods` are (days, sales) from the most recent backwards: the current month to date,
    then each full month before it. None when there were no sales to count back against."""
    if receivable <= 0:
        return Decimal(0)
    days = Decimal(0)
    left = receivable
    for length, sales in periods:
        if sales <= 0:
            days += length
            continue
        if left <= sales:
            return days + Decimal(length) * left / sales
        days += length
        left -= sales
    return days if any(sales > 0 for _d, sales in periods) else None
