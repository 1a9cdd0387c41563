"""Reading a file of past contacts (go-live history): every field checked, nothing guessed.

One line per contact the team made before Relance: `date, customer, invoices, stage, channel,
who, note`. A stage names a rung of the policy's ladder; a channel alone is enough only when
one stage uses it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.domain.policy import Channel, Policy
from bot.importing.source import LineError

COLUMNS = ("date", "customer", "invoices", "stage", "channel", "who", "note")
REQUIRED_COLUMNS = ("date", "customer")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LIMITS = {"customer": 200, "who": 40, "note": 2000, "invoices": 2000}


@dataclass(frozen=True)
class HistoryLine:
    line: int
    day: date
    customer: str  # external id or name, as written
    invoices: tuple[str, ...]
    stage: str
    channel: str
    who: str
    note: str


def read_history(
    path: Path, policy: Policy, today: date
) -> tuple[list[HistoryLine], list[LineError]]:
    """The valid lines and the errors of every other one (the caller refuses all if any)."""
    lines: list[HistoryLine] = []
    errors: list[LineError] = []
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        header = [h.strip().casefold() for h in next(reader, [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if not header or missing:
            errors.append(
                LineError(1, "", f"the header must have the columns {', '.join(COLUMNS)}")
            )
            return lines, errors
        previous_end = reader.line_num
        for row in reader:
            number, previous_end = previous_end + 1, reader.line_num
            if not "".join(row).strip():
                continue
            if len(row) != len(header):
                errors.append(
                    LineError(
                        number, "", f"has {len(row)} fields where the header has {len(header)}"
                    )
                )
                continue
            fields = {name: value.strip() for name, value in zip(header, row, strict=True)}
            line, problems = _line(number, fields, policy, today)
            errors.extend(problems)
            if line is not None:
                lines.append(line)
    if not lines and not errors:
        errors.append(LineError(1, "", "no contact lines after the header"))
    return lines, errors


def _line(
    number: int, fields: dict[str, str], policy: Policy, today: date
) -> tuple[HistoryLine | None, list[LineError]]:
    errors = []
    for name, limit in _LIMITS.items():
        value = fields.get(name, "")
        if len(value) > limit:
            errors.append(LineError(number, name, f"is longer than {limit} characters"))
        if _CONTROL.search(value):
            errors.append(LineError(number, name, "holds a control character"))
    day = _day(fields.get("date", ""))
    if day is None:
        errors.append(
            LineError(number, "date", f"{fields.get('date', '')!r} is not a date like 2026-01-31")
        )
    elif day > today:
        errors.append(LineError(number, "date", f"{day.isoformat()} is in the future"))
    if not fields.get("customer"):
        errors.append(LineError(number, "customer", "is empty"))
    stage, channel, problem = _stage_and_channel(
        fields.get("stage", ""), fields.get("channel", ""), policy
    )
    if problem:
        errors.append(LineError(number, problem[0], problem[1]))
    if errors or day is None:
        return None, errors
    invoices = tuple(n for n in re.split(r"[\s,;]+", fields.get("invoices", "")) if n)
    return (
        HistoryLine(
            number,
            day,
            fields["customer"],
            invoices,
            stage,
            channel,
            fields.get("who", ""),
            fields.get("note", ""),
        ),
        [],
    )


def _day(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _stage_and_channel(
    stage: str, channel: str, policy: Policy
) -> tuple[str, str, tuple[str, str] | None]:
    """The stage and channel of one contact, or the column to blame and why."""
    names = [s.name for s in policy.stages]
    if channel and channel not in {c.value for c in Channel}:
        known = ", ".join(c.value for c in Channel)
        return "", "", ("channel", f"{channel!r} is not a channel ({known})")
    if stage:
        if stage not in names:
            return "", "", ("stage", f"{stage!r} is not a stage of the policy ({', '.join(names)})")
        return stage, channel or policy.stage(stage).channel.value, None
    if not channel:
        return "", "", ("stage", "is empty: give the stage, or a channel only one stage uses")
    using = [s.name for s in policy.stages if s.channel.value == channel]
    if len(using) != 1:
        which = ", ".join(using) or "no stage"
        return (
            "",
            "",
            ("stage", f"is empty and channel {channel!r} is used by {which}: give the stage"),
        )
    return using[0], channel, None
