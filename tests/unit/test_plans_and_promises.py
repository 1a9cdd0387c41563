"""Plans and promises as rules, without a database: schedules, coverage, settling, the grace
rule and how an amount promised for an account is spread."""

from __future__ import annotations

from datetime import date

from bot.domain import plans, promises
from bot.domain.states import PlanState, PromiseState

DAY = date(2026, 11, 2)


def test_equal_instalments_every_thirty_days_the_last_takes_the_rounding() -> None:
    assert plans.schedule(100_00, 3, DAY) == [
        (date(2026, 11, 2), 33_33),
        (date(2026, 12, 2), 33_33),
        (date(2027, 1, 1), 33_34),
    ]
    assert plans.schedule(5_00, 1, DAY) == [(DAY, 5_00)]


def test_the_next_instalment_due_is_the_first_not_yet_covered() -> None:
    schedule = plans.schedule(90_00, 3, DAY)
    assert plans.next_due(schedule, 0) == date(2026, 11, 2)
    assert plans.next_due(schedule, 29_99) == date(2026, 11, 2)
    assert plans.next_due(schedule, 30_00) == date(2026, 12, 2)  # the first one exactly paid
    assert plans.next_due(schedule, 89_99) == date(2027, 1, 1)
    assert plans.next_due(schedule, 90_00) is None
    assert plans.next_due(schedule, 120_00) is None


def test_the_grace_rule_counts_the_grace_days_inclusive() -> None:
    assert promises.trusted_until(DAY, 3) == date(2026, 11, 5)
    assert not promises.grace_over(DAY, 3, date(2026, 11, 5))
    assert promises.grace_over(DAY, 3, date(2026, 11, 6))
    assert promises.grace_over(DAY, 0, date(2026, 11, 3))


def test_a_plan_is_completed_missed_or_still_active() -> None:
    assert plans.settled(None, 3, DAY) is PlanState.COMPLETED
    assert plans.settled(DAY, 3, date(2026, 11, 5)) is PlanState.ACTIVE
    assert plans.settled(DAY, 3, date(2026, 11, 6)) is PlanState.MISSED


def test_a_promise_is_kept_when_paid_even_late_and_broken_only_after_its_grace() -> None:
    late = date(2026, 12, 1)
    assert promises.settled(DAY, True, 3, late) is PromiseState.KEPT
    assert promises.settled(DAY, False, 3, date(2026, 11, 5)) is PromiseState.OPEN
    assert promises.settled(DAY, False, 3, date(2026, 11, 6)) is PromiseState.BROKEN


def test_an_amount_for_the_account_is_spread_oldest_first() -> None:
    assert promises.spread(150, [100, 100, 100]) == [100, 50]
    assert promises.spread(300, [100, 100]) == [100, 100]
    assert promises.spread(40, [100, 100]) == [40]
