"""Statutory late-payment interest and fixed recovery compensation between businesses, by the
governing law of the contract.

Each law is data (`bot/late_payment_laws.toml`): which reference rate it builds on and how that
rate is fixed for each period, the margin, the rounding, the fixed compensation per invoice and its
thresholds in the law's own currency, and its citation in each template language. The reference
rates are dated tables (`bot/reference_rates.toml`). A law's fixed sums are never added to a debt
in another currency: the charges say why instead.

Interest is simple, on actual days / 365, from the day after the due date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum

from bot.domain.money import Money, minor_digits
from bot.domain.msgid import NotFound, phrase


@dataclass(frozen=True)
class ReferenceRates:
    """A reference rate by the date each change took effect."""

    source: str
    changes: tuple[tuple[date, Decimal], ...]  # sorted by date
    as_of: date  # the table is known to be complete up to this date
    name: str = ""

    def on(self, day: date) -> Decimal:
        rate = None
        for since, value in self.changes:
            if since > day:
                break
            rate = value
        if rate is None:
            first = self.changes[0][0].isoformat() if self.changes else "none"
            raise NotFound(
                phrase(
                    "no {rate} known on {day} (the table starts on {first})",
                    rate=self.name or self.source + " rate",
                    day=day.isoformat(),
                    first=first,
                )
            )
        return rate


class Fixing(StrEnum):
    HALF_YEAR = "half-year"  # the rate on 1 January / 1 July holds for that half-year
    BEFORE_START = "before-start"  # the rate on the 30 June / 31 December before the debt


class Rounding(StrEnum):
    NONE = "none"
    UP_HALF_POINT = "up-half-point"


@dataclass(frozen=True)
class Law:
    code: str  # the country's ISO code
    name: str
    source: str
    reference: str  # the key of its reference-rate table
    fixing: Fixing
    margin: Decimal
    currency: str  # of the fixed compensation and its thresholds
    #: (debt strictly below this amount, compensation) in order; the last bound is None.
    compensation_tiers: tuple[tuple[Decimal | None, Decimal], ...]
    citations: Mapping[str, str] = field(default_factory=dict)  # language -> citation
    rounding: Rounding = Rounding.NONE
    compound_yearly: bool = False

    def citation(self, language: str) -> str:
        return self.citations.get(language) or self.citations["en"]

    def compensation(self, debt: Decimal) -> Decimal:
        for below, amount in self.compensation_tiers:
            if below is None or debt < below:
                return amount
        raise AssertionError("the last tier is open-ended")

    def rate(self, reference: Decimal) -> Decimal:
        rate = reference + self.margin
        if self.rounding is Rounding.UP_HALF_POINT:
            rate = (rate * 2).to_integral_value(rounding=ROUND_CEILING) / 2
        return rate


@dataclass(frozen=True)
class LawBook:
    """Every law Relance applies, and the reference rates they build on."""

    laws: Mapping[str, Law]
    rates: Mapping[str, ReferenceRates]

    def law(self, code: str) -> Law | None:
        """The law of `code` (a country's ISO code); None: no statutory regime applied."""
        return self.laws.get(code.strip().upper())


@dataclass(frozen=True)
class Period:
    start: date  # first day charged
    end: date  # last day charged
    rate: Decimal  # yearly percentage, margin and rounding included
    fixed_on: date  # the day whose reference rate gives it
    reference: Decimal  # that reference rate

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class LateCharges:
    invoice_number: str
    law: Law
    periods: tuple[Period, ...]
    interest: Money
    compensation: Money | None  # None when the law's currency is not the invoice's
    #: why no compensation is added, or "" when it is
    compensation_note: str = ""
    #: the rate table's `as_of` when a period's rate is fixed after it (the last known rate was
    #: used), else None
    stale_as_of: date | None = None

    @property
    def days(self) -> int:
        return sum(p.days for p in self.periods)


def _half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _before_start(first_day: date) -> date:
    """The 30 June or 31 December immediately before the day interest starts."""
    if first_day.month <= 6:
        return date(first_day.year - 1, 12, 31)
    return date(first_day.year, 6, 30)


def _add_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _periods(law: Law, rates: ReferenceRates, first: date, last: date) -> list[Period]:
    if law.fixing is Fixing.BEFORE_START:
        fixed_on = _before_start(first)
        reference = rates.on(fixed_on)
        return [Period(first, last, law.rate(reference), fixed_on, reference)]
    cuts = set()
    anniversary = _add_year(first)
    while law.compound_yearly and anniversary <= last:
        cuts.add(anniversary)
        anniversary = _add_year(anniversary)
    periods, start = [], first
    while start <= last:
        half = _half_year_start(start)
        next_half = date(half.year, 7, 1) if half.month == 1 else date(half.year + 1, 1, 1)
        ends = [next_half, *(c for c in cuts if c > start)]
        end = min(last, min(ends) - timedelta(days=1))
        reference = rates.on(half)
        periods.append(Period(start, end, law.rate(reference), half, reference))
        start = end + timedelta(days=1)
    return periods


def _interest(law: Law, debt: Decimal, periods: list[Period]) -> Decimal:
    """Simple interest, the year's interest added to the debt on each anniversary when the law
    compounds yearly."""
    total, principal, this_year = Decimal(0), debt, Decimal(0)
    anniversary = _add_year(periods[0].start)
    for p in periods:
        if law.compound_yearly and p.start >= anniversary:
            principal += this_year
            this_year = Decimal(0)
            anniversary = _add_year(anniversary)
        accrued = principal * p.rate / 100 * p.days / 365
        this_year += accrued
        total += accrued
    return total


def late_charges(
    *,
    invoice_number: str,
    debt: Money,
    due_date: date,
    on: date,
    law: Law | None,
    rates: Mapping[str, ReferenceRates],
) -> LateCharges | None:
    """Interest and compensation owed on `on` for a debt due on `due_date`; None where nothing
    is owed (not past due, or no statutory regime). Raises LookupError when the rate table does
    not reach back far enough."""
    if law is None or on <= due_date:
        return None
    table = rates[law.reference]
    periods = _periods(law, table, due_date + timedelta(days=1), on)
    quantum = Decimal(1).scaleb(-minor_digits(debt.currency))
    raw = _interest(law, debt.amount, periods)
    interest = Money(raw.quantize(quantum, rounding=ROUND_HALF_UP), debt.currency)
    if debt.currency == law.currency:
        compensation, note = Money(law.compensation(debt.amount), law.currency), ""
    else:
        compensation = None
        note = (
            f"the fixed compensation under the law of {law.name} is a sum in {law.currency}; "
            f"it is not added to a debt in {debt.currency}"
        )
    stale = table.as_of if any(p.fixed_on > table.as_of for p in periods) else None
    return LateCharges(invoice_number, law, tuple(periods), interest, compensation, note, stale)
