"""From a publisher's series to a dated rate table, and when a table is due for a refresh.

A table keeps the meaning of `bot/reference_rates.toml`: the day each new rate took effect, and
the last day the table is known to be complete (`as_of`). Which day's rate a law applies (1
January / 1 July, or the 30 June / 31 December before interest starts) stays the law's business
(`late_payment.py`), so a table is the reference rate itself, never a law's rate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.domain.late_payment import Fixing, LawBook, ReferenceRates

#: the Austrian base rate follows the ECB rate only once it has moved this much in total
AUSTRIAN_THRESHOLD = Decimal("0.5")
#: how long after a table's next fixing day it may stay unrefreshed before the digest says so
STALE_GRACE = timedelta(days=7)


def changes(observations: Iterable[tuple[date, Decimal]]) -> tuple[tuple[date, Decimal], ...]:
    """The days a rate changed, from a series observed daily (or on business days, or monthly):
    the first observation, then each one whose value differs from the one before."""
    out: list[tuple[date, Decimal]] = []
    for day, value in sorted(observations):
        if out and out[-1][0] == day:
            raise ValueError(f"two values for {day.isoformat()}")
        if not out or out[-1][1] != value:
            out.append((day, value))
    return tuple(out)


def austrian_base_rate(
    ecb: Iterable[tuple[date, Decimal]], since: tuple[date, Decimal], ecb_then: Decimal
) -> tuple[tuple[date, Decimal], ...]:
    """The OeNB base rate from the ECB rate's changes (1. Euro-Justiz-Begleitgesetz, Art. I § 1):
    it moves by the ECB rate's move once that totals 0.5 points or more since the base rate's last
    change, on the day of the ECB change that reaches it. `since` is the last change the OeNB
    announced and `ecb_then` the ECB rate on that day."""
    day, base = since
    out = [since]
    anchor = ecb_then
    for when, rate in sorted(ecb):
        if when <= day:
            continue
        if abs(rate - anchor) >= AUSTRIAN_THRESHOLD:
            base += rate - anchor
            anchor = rate
            out.append((when, base))
    return tuple(out)


def _fixing_days(year: int, fixing: Fixing) -> tuple[date, date]:
    if fixing is Fixing.HALF_YEAR:
        return date(year, 1, 1), date(year, 7, 1)
    return date(year, 6, 30), date(year, 12, 31)


def next_fixing(as_of: date, fixings: Iterable[Fixing]) -> date | None:
    """The first day after `as_of` whose rate one of the laws using the table fixes."""
    days = [
        d
        for f in set(fixings)
        for year in (as_of.year, as_of.year + 1)
        for d in _fixing_days(year, f)
        if d > as_of
    ]
    return min(days) if days else None


@dataclass(frozen=True)
class StaleTable:
    key: str
    name: str
    as_of: date
    next_fixing: date  # a law fixes its rate on this day, after the table ends


def stale_tables(book: LawBook, today: date) -> list[StaleTable]:
    """The tables that end more than `STALE_GRACE` before today while a fixing day of a law that
    uses them has passed: their charges use a rate that may have changed."""
    fixings: dict[str, set[Fixing]] = {}
    for law in book.laws.values():
        fixings.setdefault(law.reference, set()).add(law.fixing)
    out = []
    for key, table in sorted(book.rates.items()):
        due = next_fixing(table.as_of, fixings.get(key, ()))
        if due is not None and today - due > STALE_GRACE:
            out.append(StaleTable(key, table.name or key, table.as_of, due))
    return out


def disagreement(known: ReferenceRates, fetched: ReferenceRates) -> str | None:
    """Where a fetched table says another rate than the table in force on a day both cover (a
    misread answer, or the wrong series): the first such day, said, else None. A fetched table
    that disagrees is not used: which one is right is for a person to settle."""
    if not fetched.changes:
        return "no rate in the fetched table"
    start, end = fetched.changes[0][0], min(known.as_of, fetched.as_of)
    days = {start, end, *(d for d, _ in known.changes), *(d for d, _ in fetched.changes)}
    for day in sorted(d for d in days if start <= d <= end):
        try:
            mine = known.on(day)
        except LookupError:
            continue
        theirs = fetched.on(day)
        if mine != theirs:
            return (
                f"it gives {theirs} % on {day.isoformat()} where the table in force says {mine} %"
            )
    return None


def overlay(
    bundled: Mapping[str, ReferenceRates], local: Mapping[str, ReferenceRates]
) -> dict[str, ReferenceRates]:
    """The bundled tables with the local (fetched) ones over them: for each table the one known
    later wins, and the other only adds the changes dated before the winner's first."""
    out = dict(bundled)
    for key, table in local.items():
        base = out.get(key)
        if base is None:
            out[key] = table
            continue
        new, old = (table, base) if table.as_of >= base.as_of else (base, table)
        first = new.changes[0][0] if new.changes else new.as_of
        kept = tuple(c for c in old.changes if c[0] < first)
        out[key] = ReferenceRates(
            source=new.source, changes=kept + new.changes, as_of=new.as_of, name=new.name
        )
    return out


Observations = list[tuple[date, Decimal]]


@dataclass(frozen=True)
class Source:
    key: str  # the table's key in reference_rates.toml
    series: str  # as the publisher names it, for the person reading a failure
    publisher: str
    fetch: Callable[[date], Observations]  # the first day wanted -> (day, rate) observations
    #: the rate is fixed for the half-year it starts (the Basiszinssatz): known to its end
    half_yearly: bool = False
