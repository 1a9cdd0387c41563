from datetime import date
from decimal import Decimal

from bot.domain.dso import countback_dso, month_periods


def test_countback_on_a_worked_example() -> None:
    # 100 owed; this month (26 days so far) sold 60, last month (31 days) 80:
    # 26 days cover 60, and 40 of last month's 80 is half of 31 days -> 26 + 15.5
    assert countback_dso(Decimal(100), [(26, Decimal(60)), (31, Decimal(80))]) == Decimal("41.5")


def test_edges() -> None:
    assert countback_dso(Decimal(0), [(30, Decimal(10))]) == 0
    assert countback_dso(Decimal(10), [(30, Decimal(0)), (31, Decimal(20))]) == Decimal("45.5")
    assert countback_dso(Decimal(50), [(30, Decimal(10)), (31, Decimal(10))]) == 61
    assert countback_dso(Decimal(50), []) is None


def test_the_periods_counted_back_are_this_month_to_date_then_whole_months() -> None:
    assert month_periods(date(2026, 3, 10), months=3) == [
        (date(2026, 3, 1), date(2026, 3, 10)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]
