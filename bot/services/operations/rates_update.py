"""Refreshing the reference-rate tables from their publishers: each series fetched and read on
its own, so one publisher down or answering garbage leaves the others refreshed and its own table
as it was (the bundled one, or the last one fetched)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.late_payment import ReferenceRates
from bot.domain.rate_series import Observations, Source, austrian_base_rate, changes, disagreement

#: how far back each update asks: enough to hold every fixing day a current debt can reach
WINDOW = timedelta(days=3 * 366)


@dataclass(frozen=True)
class RatesUpdate:
    tables: dict[str, ReferenceRates] = field(default_factory=dict)  # the refreshed ones
    failures: list[str] = field(default_factory=list)  # one line per table not refreshed


def _half_year_end(day: date) -> date:
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


def _table(
    source: Source, known: ReferenceRates | None, seen: Observations, today: date
) -> ReferenceRates:
    steps = changes(seen)
    last = max(day for day, _ in seen)
    if last > today:
        raise ValueError(f"an observation dated {last.isoformat()}, after today")
    return ReferenceRates(
        source=f"{source.publisher}, series {source.series}, fetched on {today.isoformat()}",
        changes=steps,
        as_of=_half_year_end(last) if source.half_yearly else last,
        name=known.name if known else source.key,
    )


def update_rates(
    known: Mapping[str, ReferenceRates], sources: list[Source], today: date
) -> RatesUpdate:
    """Each source's table, fetched from `today - WINDOW`; the Austrian base rate follows from
    the ECB table by its statute, from the last change `known` holds."""
    update = RatesUpdate()
    for source in sources:
        try:
            seen = source.fetch(today - WINDOW)
            table = _table(source, known.get(source.key), seen, today)
            if source.key in known and (differs := disagreement(known[source.key], table)):
                raise ValueError(differs)
            update.tables[source.key] = table
        except (OSError, ValueError) as exc:
            update.failures.append(
                f"{source.key} ({source.publisher}, {source.series}) not refreshed: {exc}"
            )
    austria = known.get("AT-BASIS")
    if austria is not None and austria.changes:
        if "ECB" in update.tables:
            ecb = update.tables["ECB"]
            since = austria.changes[-1]
            try:
                then = known["ECB"].on(since[0]) if "ECB" in known else ecb.on(since[0])
            except LookupError as exc:
                update.failures.append(f"AT-BASIS not refreshed: {exc}")
                return update
            update.tables["AT-BASIS"] = ReferenceRates(
                source=(
                    "derived from the ECB main refinancing operations rate by the rule of the "
                    "1. Euro-Justiz-Begleitgesetz, Art. I § 1, from the OeNB's change of "
                    f"{since[0].isoformat()} ({ecb.source})"
                ),
                changes=austrian_base_rate(ecb.changes, since, then),
                as_of=ecb.as_of,
                name=austria.name,
            )
        else:
            update.failures.append("AT-BASIS not refreshed: it follows the ECB rate, not refreshed")
    return update
