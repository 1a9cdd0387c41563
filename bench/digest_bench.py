"""Digest: the daily digest's figures over 100,000 open invoices, against one hand-written SQL
aggregate that returns the same totals.

Usage: python -m bench.digest_bench
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from bench.databases import OPEN_INVOICES as LINES
from bench.databases import best_of, loaded_ledgers, print_table
from bot.services.digest import build_digest

TODAY = date(2026, 11, 25)


def hand_written(engine: sa.Engine) -> list[tuple]:
    """Bucket totals per currency in one query: what the digest's main table shows."""
    edges = [TODAY - timedelta(days=d) for d in (0, 30, 60, 90)]
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT CASE WHEN due_date >= :e0 THEN 0 WHEN due_date >= :e1 THEN 1"
            " WHEN due_date >= :e2 THEN 2 WHEN due_date >= :e3 THEN 3 ELSE 4 END AS bucket,"
            " currency, COUNT(*), SUM(amount_minor - paid_minor) FROM invoice"
            " WHERE amount_minor > paid_minor GROUP BY 1, 2"
        ), {f"e{n}": e for n, e in enumerate(edges)}).all()


def main() -> list[list[str]]:
    rows = []
    for backend, engine in loaded_ledgers(LINES, "digest"):
        digest = build_digest(engine, TODAY, "C1")
        totals = {(t.bucket, t.currency): t.balance.minor for t in digest.aging.totals}
        assert sum(totals.values()) == sum(int(r[3]) for r in hand_written(engine))
        ours = best_of(5, lambda engine=engine: build_digest(engine, TODAY, "C1"))
        base = best_of(5, lambda engine=engine: hand_written(engine))
        rows.append([backend, f"{ours * 1000:.0f} ms", f"{base * 1000:.0f} ms",
                     f"{ours / base:.2f}×"])
    print_table(f"Digest figures ({LINES:,} open invoices)",
                ["database", "relance digest", "one aggregate query", "ratio"], rows)
    return rows


if __name__ == "__main__":
    main()
