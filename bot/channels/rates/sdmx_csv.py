"""SDMX-CSV as the ECB Data Portal (`?format=csvdata`, comma-separated) and the Bundesbank's SDMX
web service (`?format=sdmx_csv`, semicolon-separated) publish it: a header row naming the
columns, one observation a row, the period in TIME_PERIOD and the value in OBS_VALUE.

Columns are found by name (their order differs between dataflows), the series is checked against
the one asked for (an answer about another series is refused, not used), and an empty value is a
missing observation, never zero.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
MAX_ROWS = 20_000


class FormatError(ValueError):
    """The answer is not the series asked for in the format expected."""


def parse(text: str, series: str, delimiter: str, key_column: str) -> list[tuple[date, Decimal]]:
    """(day, value) per observation of `series`, which `key_column` must name on every row; a
    monthly period is dated on the month's first day."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise FormatError("the answer is empty")
    header = [c.strip() for c in rows[0]]
    missing = {key_column, "TIME_PERIOD", "OBS_VALUE"} - set(header)
    if missing:
        raise FormatError(f"line 1: no column {', '.join(sorted(missing))} (not SDMX-CSV?)")
    if len(rows) > MAX_ROWS:
        raise FormatError(f"more than {MAX_ROWS} rows")
    at = {name: header.index(name) for name in (key_column, "TIME_PERIOD", "OBS_VALUE")}
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise FormatError(f"line {number}: {len(row)} cells where the header has {len(header)}")
        if row[at[key_column]].strip() != series:
            raise FormatError(f"line {number}: series {row[at[key_column]]!r}, not {series!r}")
        period, raw = row[at["TIME_PERIOD"]].strip(), row[at["OBS_VALUE"]].strip()
        if not raw:
            continue
        try:
            value = Decimal(raw)
            if DAY.match(period):
                day = date.fromisoformat(period)
            elif MONTH.match(period):
                day = date.fromisoformat(period + "-01")
            else:
                raise ValueError(period)
        except (InvalidOperation, ValueError) as exc:
            raise FormatError(f"line {number}: {period!r} = {raw!r} is not a dated rate") from exc
        if not value.is_finite() or abs(value) > 100:
            raise FormatError(f"line {number}: {raw!r} is not a rate in percent")
        out.append((day, value))
    if not out:
        raise FormatError("no observation in the answer")
    return out
