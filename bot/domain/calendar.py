"""Business days and local time: a customer's 'today' is the date where the customer is.

Public holidays come from the `holidays` package, per country; weekends are Saturday and Sunday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=512)
def _holidays(country: str, year: int) -> holidays.HolidayBase | dict[date, str]:
    try:
        return holidays.country_holidays(country, years=year)
    except NotImplementedError:  # a country the package does not know: weekends only
        return {}


def holiday_name(day: date, country: str) -> str | None:
    return _holidays(country, day.year).get(day)


def is_business_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and holiday_name(day, country) is None


def business_days_between(start: date, end: date, country: str) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_business_day(day, country)
    return count


def add_business_days(start: date, days: int, country: str) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_business_day(day, country)
    return day


def local_now(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def local_today(now: datetime, timezone: str) -> date:
    return local_now(now, timezone).date()


def at_local_time(day: date, clock: time, timezone: str) -> datetime:
    """The aware instant of `clock` on `day` in `timezone` (for scheduling sends and digests)."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(timezone))


@lru_cache(maxsize=4096)
def next_business_opening(
    now: datetime, timezone: str, country: str, hours: tuple[time, time]
) -> datetime:
    """The first instant from `now` within business hours where the customer is: now if they
    are open, else the next opening on one of their business days (weekends and public
    holidays of their country skipped). A reminder suggested at the company's digest is sent
    then, whatever the time zone. Remembered: a morning asks it for thousands of customers
    who share a handful of zones and countries."""
    opening, closing = hours
    local = local_now(now, timezone)
    day = local.date()
    if is_business_day(day, country):
        if local.time() < opening:
            return at_local_time(day, opening, timezone)
        if local.time() < closing:
            return now
    return at_local_time(add_business_days(day, 1, country), opening, timezone)
