"""Statutory late-payment interest and fixed recovery compensation between businesses.

- France (Code de commerce, art. L441-10 and D441-5): ECB rate + 10 points, €40 per invoice.
- EU directive 2011/7/EU default, euro area: ECB rate + 8 points, €40 per invoice.
- United Kingdom (Late Payment of Commercial Debts (Interest) Act 1998): Bank of England base
  rate + 8 points; £40 / £70 / £100 for debts under £1,000 / under £10,000 / from £10,000.

Simple interest, actual days / 365, from the day after the due date. For the ECB rules the
reference rate is the one in force on the first day of each half-year (1 January, 1 July), so a
debt spanning half-years is charged at each half-year's rate; the UK fixes the rate for the whole
debt at the reference date (30 June or 31 December) before interest starts. The reference rates
are a dated table (`bot/reference_rates.toml`) that users update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.domain.money import Money, minor_digits


@dataclass(frozen=True)
class ReferenceRates:
    """A central bank's policy rate by the date each change took effect."""

    source: str
    changes: tuple[tuple[date, Decimal], ...]  # sorted by date
    as_of: date  # the table is known to be complete up to this date

    def on(self, day: date) -> Decimal:
        rate = None
        for since, value in self.changes:
            if since > day:
                break
            rate = value
        if rate is None:
            raise LookupError(f"no {self.source} rate known on {day.isoformat()}")
        return rate


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    law: str
    margin: Decimal
    rates_source: str  # "ECB" or "BoE"
    compensation_currency: str
    #: (debt strictly below this amount, compensation); the last bound is None.
    compensation_tiers: tuple[tuple[Decimal | None, Decimal], ...]
    rate_fixed_for_whole_debt: bool

    def compensation(self, debt: Decimal) -> Money:
        for below, amount in self.compensation_tiers:
            if below is None or debt < below:
                return Money(amount, self.compensation_currency)
        raise AssertionError("the last tier is open-ended")


FRANCE = Jurisdiction(
    "FR",
    "Code de commerce, art. L441-10",
    Decimal(10),
    "ECB",
    "EUR",
    ((None, Decimal(40)),),
    rate_fixed_for_whole_debt=False,
)
EU_DIRECTIVE = Jurisdiction(
    "EU",
    "Directive 2011/7/EU",
    Decimal(8),
    "ECB",
    "EUR",
    ((None, Decimal(40)),),
    rate_fixed_for_whole_debt=False,
)
UNITED_KINGDOM = Jurisdiction(
    "UK",
    "Late Payment of Commercial Debts (Interest) Act 1998",
    Decimal(8),
    "BoE",
    "GBP",
    ((Decimal(1000), Decimal(40)), (Decimal(10000), Decimal(70)), (None, Decimal(100))),
    rate_fixed_for_whole_debt=True,
)

#: Euro-area members other than France: the directive's default with the ECB rate. Other EU
#: members use their national central bank's rate, which the rates table does not carry.
EURO_AREA = frozenset(
    {
        "AT",
        "BE",
        "HR",
        "CY",
        "EE",
        "FI",
        "DE",
        "GR",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PT",
        "SK",
        "SI",
        "ES",
    }
)


def jurisdiction_for(country: str) -> Jurisdiction | None:
    if country == "FR":
        return FRANCE
    if country == "GB":
        return UNITED_KINGDOM
    if country in EURO_AREA:
        return EU_DIRECTIVE
    return None


@dataclass(frozen=True)
class Period:
    start: date  # first day charged
    end: date  # last day charged
    rate: Decimal  # yearly percentage, margin included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class LateCharges:
    invoice_number: str
    jurisdiction: Jurisdiction
    periods: tuple[Period, ...]
    interest: Money
    compensation: Money

    @property
    def days(self) -> int:
        return sum(p.days for p in self.periods)


def _half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _uk_reference_date(first_day: date) -> date:
    """The 30 June or 31 December immediately before the day interest starts."""
    if first_day.month <= 6:
        return date(first_day.year - 1, 12, 31)
    return date(first_day.year, 6, 30)


def _periods(
    jurisdiction: Jurisdiction, rates: ReferenceRates, first: date, last: date
) -> list[Period]:
    if jurisdiction.rate_fixed_for_whole_debt:
        rate = rates.on(_uk_reference_date(first)) + jurisdiction.margin
        return [Period(first, last, rate)]
    periods, start = [], first
    while start <= last:
        half = _half_year_start(start)
        next_half = date(half.year, 7, 1) if half.month == 1 else date(half.year + 1, 1, 1)
        end = min(last, next_half - timedelta(days=1))
        periods.append(Period(start, end, rates.on(half) + jurisdiction.margin))
        start = end + timedelta(days=1)
    return periods


def late_charges(
    *,
    invoice_number: str,
    debt: Money,
    due_date: date,
    on: date,
    country: str,
    rates: dict[str, ReferenceRates],
) -> LateCharges | None:
    """Interest and compensation owed on `on` for a debt due on `due_date`; None where no rule
    applies (not late, or a country without one here)."""
    jurisdiction = jurisdiction_for(country)
    if jurisdiction is None or on <= due_date:
        return None
    periods = _periods(
        jurisdiction, rates[jurisdiction.rates_source], due_date + timedelta(days=1), on
    )
    raw = sum((debt.amount * p.rate / 100 * p.days / 365 for p in periods), Decimal(0))
    quantum = Decimal(1).scaleb(-minor_digits(debt.currency))
    interest = Money(raw.quantize(quantum, rounding=ROUND_HALF_UP), debt.currency)
    compensation = jurisdiction.compensation(debt.amount)
    return LateCharges(invoice_number, jurisdiction, tuple(periods), interest, compensation)
