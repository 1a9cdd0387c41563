"""Statutory interest and fixed compensation, on worked examples computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.config import load_reference_rates
from bot.domain.late_payment import late_charges
from bot.domain.money import Money

RATES = load_reference_rates()


def charges(country: str, amount: str, currency: str, due: date, on: date):  # type: ignore[no-untyped-def]
    return late_charges(
        invoice_number="X",
        debt=Money(Decimal(amount), currency),
        due_date=due,
        on=on,
        country=country,
        rates=RATES,
    )


def test_france_ecb_plus_ten_points_and_forty_euros() -> None:
    # 30 days (1 Feb – 2 Mar 2025) at 3.15 % (ECB rate on 1 Jan 2025) + 10 = 13.15 %:
    # 10 000 × 13.15 % × 30 / 365 = 108.08
    c = charges("FR", "10000.00", "EUR", date(2025, 1, 31), date(2025, 3, 2))
    assert c.days == 30
    assert [p.rate for p in c.periods] == [Decimal("13.15")]
    assert c.interest == Money(Decimal("108.08"), "EUR")
    assert c.compensation == Money(Decimal("40"), "EUR")


def test_france_changes_rate_with_the_half_year() -> None:
    # 10 days of June at 13.15 % and 10 days of July at 2.15 + 10 = 12.15 %:
    # 1 000 × (13.15 % × 10 + 12.15 % × 10) / 365 = 3.6027 + 3.3288 = 6.93
    c = charges("FR", "1000.00", "EUR", date(2025, 6, 20), date(2025, 7, 10))
    assert [(p.days, p.rate) for p in c.periods] == [(10, Decimal("13.15")), (10, Decimal("12.15"))]
    assert c.interest.amount == Decimal("6.93")


def test_eu_directive_default_is_eight_points() -> None:
    # Germany under the directive's default: 3.15 + 8 = 11.15 % → 10 000 × 11.15 % × 30/365
    c = charges("DE", "10000.00", "EUR", date(2025, 1, 31), date(2025, 3, 2))
    assert c.jurisdiction.code == "EU"
    assert c.interest.amount == Decimal("91.64")
    assert c.compensation.amount == Decimal("40")


def test_uk_fixes_the_rate_at_the_reference_date_before_interest_starts() -> None:
    # Interest from 2 Mar 2025: reference date 31 Dec 2024, Bank Rate 4.75 % + 8 = 12.75 %;
    # 61 days: 5 000 × 12.75 % × 61 / 365 = 106.54; a £5,000 debt earns £70.
    c = charges("GB", "5000.00", "GBP", date(2025, 3, 1), date(2025, 5, 1))
    assert (c.days, c.periods[0].rate) == (61, Decimal("12.75"))
    assert c.interest == Money(Decimal("106.54"), "GBP")
    assert c.compensation == Money(Decimal("70"), "GBP")
    # From 16 Aug 2025 the reference date is 30 June 2025 (4.25 %), even though the Bank
    # cut its rate on 7 August: the rate stays 12.25 % for the whole debt.
    later = charges("GB", "100.00", "GBP", date(2025, 8, 15), date(2025, 12, 31))
    assert [p.rate for p in later.periods] == [Decimal("12.25")]


@pytest.mark.parametrize(
    ("debt", "compensation"),
    [
        ("999.99", "40"),
        ("1000.00", "70"),
        ("9999.99", "70"),
        ("10000.00", "100"),
        ("250000.00", "100"),
    ],
)
def test_uk_compensation_thresholds_exactly_at_the_boundaries(debt: str, compensation: str) -> None:
    c = charges("GB", debt, "GBP", date(2025, 3, 1), date(2025, 4, 1))
    assert c.compensation == Money(Decimal(compensation), "GBP")


def test_nothing_before_the_day_after_the_due_date_or_without_a_rule() -> None:
    assert charges("FR", "100.00", "EUR", date(2025, 3, 1), date(2025, 3, 1)) is None
    assert charges("US", "100.00", "USD", date(2025, 3, 1), date(2025, 6, 1)) is None
    one_day = charges("FR", "36500.00", "EUR", date(2025, 3, 1), date(2025, 3, 2))
    assert one_day.days == 1 and one_day.interest.amount == Decimal("13.15")  # 13.15 % / 365


def test_a_date_before_the_rates_table_is_refused() -> None:
    with pytest.raises(LookupError, match="no ECB rate known"):
        charges("FR", "100.00", "EUR", date(2022, 1, 1), date(2022, 3, 1))
