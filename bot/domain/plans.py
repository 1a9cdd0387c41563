"""Payment plans: the schedule of instalments, how far payments cover it, and when a plan is
completed or missed (the grace rule of `domain.promises`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.domain.promises import grace_over
from bot.domain.states import PlanState

INTERVAL_DAYS = 30


def schedule(total_minor: int, count: int, first: date) -> list[tuple[date, int]]:
    """Equal instalments every 30 days; the last one takes the rounding."""
    share = total_minor // count
    amounts = [share] * (count - 1) + [total_minor - share * (count - 1)]
    return [(first + timedelta(days=INTERVAL_DAYS * n), a) for n, a in enumerate(amounts)]


def next_due(instalments: Sequence[tuple[date, int]], paid_since_minor: int) -> date | None:
    """The date of the first instalment the payments since the plan began do not cover yet
    (instalments in date order); None when they cover them all."""
    covered = 0
    for due, amount in instalments:
        covered += amount
        if covered > paid_since_minor:
            return due
    return None


def settled(next_due_date: date | None, grace_days: int, today: date) -> PlanState:
    """Completed when every instalment is covered, missed once an uncovered instalment's date
    and grace have passed, else still active."""
    if next_due_date is None:
        return PlanState.COMPLETED
    if grace_over(next_due_date, grace_days, today):
        return PlanState.MISSED
    return PlanState.ACTIVE
