"""The bundled sample ledger: 60 real-looking customers, ~300 invoices dated relative to today.

Dates are generated, not stored, so the demo always shows every aging bucket whatever day it
runs. The generator is seeded: the same day gives the same file.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bot.importing.mapping import FIELDS

CUSTOMERS_CSV = Path(__file__).resolve().parent / "customers.csv"

#: Usual payment terms (days) by country, used to place the issue date before the due date.
_TERMS = {"DE": 14, "AT": 14, "GB": 30, "IE": 30, "US": 30, "FR": 45, "BE": 30, "CH": 30, "ES": 60}
#: Days overdue to draw from, one range per aging bucket (negative: not yet due).
_LATENESS = [(-40, 0), (1, 30), (31, 60), (61, 90), (91, 200)]

#: The sample file's columns: Relance's own fields, less the optional ones a plain ledger lacks.
HEADER = [
    name
    for name in FIELDS
    if name
    not in (
        "governing_law",
        "owner",
        "segment",
        "balance",
        "status",
        "document_type",
        "credit",
        "lettering",
        "pdf",
    )
]


def write_sample_invoices(target: Path, today: date, seed: int = 2026) -> int:
    """Write the sample ledger in Relance's own layout; returns the number of invoices."""
    rng = random.Random(seed)
    with CUSTOMERS_CSV.open(encoding="utf-8") as source:
        customers = list(csv.DictReader(source))
    count = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for index, customer in enumerate(customers):
            for _ in range(rng.randint(3, 7)):
                count += 1
                low, high = _LATENESS[(index + count) % len(_LATENESS)]
                due = today - timedelta(days=rng.randint(low, high))
                # issued by today at the latest: an invoice not yet issued is not in a ledger
                issue = min(due - timedelta(days=_TERMS.get(customer["country"], 30)), today)
                amount = Decimal(rng.randint(12_000, 950_000)) / 100
                roll = rng.random()
                paid = (
                    amount
                    if roll < 0.25
                    else (amount / 2).quantize(Decimal("0.01"))
                    if roll < 0.40
                    else Decimal("0.00")
                )
                number = f"INV-{issue.year}-{count:05d}"
                writer.writerow(
                    [
                        customer["customer_id"],
                        customer["customer_name"],
                        customer["contact_name"],
                        customer["salutation"],
                        customer["email"],
                        customer["phone"],
                        customer["language"],
                        customer["country"],
                        customer["timezone"],
                        customer["notes"],
                        customer["address"],
                        number,
                        customer["currency"],
                        f"{amount:.2f}",
                        f"{paid:.2f}",
                        issue.isoformat(),
                        due.isoformat(),
                        f"https://pay.example.com/{number}",
                    ]
                )
    return count
