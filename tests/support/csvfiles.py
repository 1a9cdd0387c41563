"""Writing small invoice files for tests, in Relance's own layout unless told otherwise."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.entry.sample_data import HEADER

GOOD_LINE = {
    "customer_id": "C1",
    "customer_name": "Atelier Lefèvre",
    "contact_name": "Jean Lefèvre",
    "email": "jean@atelier.example",
    "phone": "+33 1 00 00 00 00",
    "language": "fr",
    "country": "FR",
    "timezone": "Europe/Paris",
    "notes": "",
    "invoice_number": "F-001",
    "currency": "EUR",
    "amount": "1 234,56",
    "amount_paid": "0",
    "issue_date": "2026-09-01",
    "due_date": "2026-10-01",
    "payment_link": "https://pay.example.com/F-001",
}


def line(**changes: str) -> dict[str, str]:
    return {**GOOD_LINE, **changes}


def write_csv(
    path: Path,
    lines: list[dict[str, str]],
    header: list[str] | None = None,
    encoding: str = "utf-8",
) -> Path:
    header = header or HEADER
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(lines)
    return path
