"""What a payment does to what is pending, as rules without a database."""

from __future__ import annotations

from datetime import date

from bot.domain.follow_up import cancelled_by_payment, deserves_thanks
from bot.domain.money import open_minor


def test_a_reminder_is_cancelled_only_when_nothing_it_chases_is_still_owed() -> None:
    assert cancelled_by_payment(["A", "B"], paid_now=["A", "B"], still_open=[])
    assert not cancelled_by_payment(["A", "B"], paid_now=["A"], still_open=["B"])
    # paid earlier, not by this import: this import does not touch it
    assert not cancelled_by_payment(["C"], paid_now=["A"], still_open=[])


def test_thanks_only_for_what_had_fallen_overdue() -> None:
    today = date(2026, 11, 26)
    assert deserves_thanks(date(2026, 11, 25), today)
    assert not deserves_thanks(today, today)


def test_the_open_balance() -> None:
    assert open_minor(120_00, 20_00) == 100_00
    assert open_minor(120_00, 120_00) == 0
