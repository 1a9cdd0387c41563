"""The Bank of England's Interactive Database: Bank Rate, series IUDBEDR, as the database's CSV
(`_iadb-fromshowcolumns.asp?csv.x=yes&CSVF=TN…`): a header `DATE,IUDBEDR`, then one row per
business day, dated like `18 Dec 2025`."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from bot.channels.rates import http
from bot.channels.rates.sdmx_csv import MAX_ROWS, FormatError

SERIES = "IUDBEDR"
DEFAULT_BASE = "https://www.bankofengland.co.uk"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def url(base: str, start: date, end: date) -> str:
    def day(d: date) -> str:  # the database wants 01/Jan/2025, whatever the locale
        return f"{d.day:02d}/{MONTHS[d.month - 1]}/{d.year}"

    return (
        f"{base.rstrip('/')}/boeapps/database/_iadb-fromshowcolumns.asp?csv.x=yes"
        f"&Datefrom={day(start)}&Dateto={day(end)}&SeriesCodes={SERIES}"
        "&CSVF=TN&UsingCodes=Y&VPD=Y&VFD=N"
    )


def _day(text: str) -> date:
    parts = text.split()
    if len(parts) != 3 or parts[1] not in MONTHS:
        raise ValueError(text)
    return datetime(int(parts[2]), MONTHS.index(parts[1]) + 1, int(parts[0])).date()


def parse(text: str) -> list[tuple[date, Decimal]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().upper() for c in rows[0]] != ["DATE", SERIES]:
        first = rows[0][:2] if rows else []
        raise FormatError(f"line 1: {first!r} is not the header DATE,{SERIES} (an error page?)")
    if len(rows) > MAX_ROWS:
        raise FormatError(f"more than {MAX_ROWS} rows")
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise FormatError(f"line {number}: {len(row)} cells where DATE,{SERIES} has 2")
        try:
            day, value = _day(row[0].strip()), Decimal(row[1].strip())
        except (InvalidOperation, ValueError) as exc:
            raise FormatError(f"line {number}: {row!r} is not a dated rate") from exc
        if not value.is_finite() or abs(value) > 100:
            raise FormatError(f"line {number}: {row[1]!r} is not a rate in percent")
        out.append((day, value))
    if not out:
        raise FormatError("no observation in the answer")
    return out


def fetch(base: str, start: date, end: date) -> list[tuple[date, Decimal]]:
    return parse(http.get(url(base, start, end), "text/csv"))
