"""Digest: the daily digest's figures over 100,000 open invoices, against hand-written SQL.

The digest shows the open balance per aging bucket and currency, and the ten customers who owe
the most per currency. The baseline is one hand-written statement returning exactly those
figures; the bucket totals alone (one aggregate, what the digest would cost without its ranking)
are shown beside it for scale.

Usage: python -m bench.digest_bench
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from bench.databases import OPEN_INVOICES as LINES
from bench.databases import best_of, loaded_ledgers, print_table
from bot.domain.aging import BUCKET_RANGES
from bot.services.overview.digest import Digest, build_digest

TODAY = date(2026, 11, 25)
TOP = 10
_BUCKET = (
    "CASE WHEN due_date >= :e0 THEN 0 WHEN due_date >= :e1 THEN 1"
    " WHEN due_date >= :e2 THEN 2 WHEN due_date >= :e3 THEN 3 ELSE 4 END"
)
_OPEN = "amount_minor > paid_minor"
TOTALS = (
    f"SELECT {_BUCKET} AS bucket, currency, COUNT(*) AS invoices,"
    f" SUM(amount_minor - paid_minor) AS balance FROM invoice WHERE {_OPEN} GROUP BY 1, 2"
)
FIGURES = (
    f"SELECT 'bucket' AS kind, bucket AS key, currency, invoices, balance, NULL AS name"
    f" FROM ({TOTALS}) totals"
    " UNION ALL"
    " SELECT 'top', r.customer_id, r.currency, r.invoices, r.overdue, c.name FROM ("
    "  SELECT customer_id, currency, COUNT(*) AS invoices,"
    "   SUM(amount_minor - paid_minor) AS overdue, ROW_NUMBER() OVER ("
    "    PARTITION BY currency ORDER BY SUM(amount_minor - paid_minor) DESC) AS rank"
    f"  FROM invoice WHERE {_OPEN} AND due_date < :e0 GROUP BY customer_id, currency) r"
    f" JOIN customer c ON c.id = r.customer_id WHERE r.rank <= {TOP}"
)


def by_hand(engine: sa.Engine, sql: str) -> list[sa.Row]:
    edges = {f"e{n}": TODAY - timedelta(days=d) for n, d in enumerate((0, 30, 60, 90))}
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), edges).all()


def _same_figures(digest: Digest, rows: list[sa.Row]) -> bool:
    position = {bucket: n for n, (bucket, _least, _most) in enumerate(BUCKET_RANGES)}
    totals = {
        (position[t.bucket], t.currency, t.invoices, t.balance.minor) for t in digest.aging.totals
    }
    top = {
        (c.customer_id, c.overdue.currency, c.invoices, c.overdue.minor)
        for c in digest.aging.top_overdue
    }
    return totals == {
        (r.key, r.currency, r.invoices, int(r.balance)) for r in rows if r.kind == "bucket"
    } and top == {(r.key, r.currency, r.invoices, int(r.balance)) for r in rows if r.kind == "top"}


def main() -> list[list[str]]:
    rows = []
    for backend, engine in loaded_ledgers(LINES, "digest"):
        assert _same_figures(
            build_digest(engine, TODAY, "C1", top=TOP), by_hand(engine, FIGURES)
        ), "the baseline must show the same figures"
        ours = best_of(5, lambda engine=engine: build_digest(engine, TODAY, "C1", top=TOP))
        base = best_of(5, lambda engine=engine: by_hand(engine, FIGURES))
        totals = best_of(5, lambda engine=engine: by_hand(engine, TOTALS))
        rows.append(
            [
                backend,
                f"{ours * 1000:.0f} ms",
                f"{base * 1000:.0f} ms",
                f"{ours / base:.2f}×",
                f"{totals * 1000:.0f} ms",
            ]
        )
    print_table(
        f"Digest figures ({LINES:,} open invoices)",
        ["database", "relance digest", "same figures by hand", "ratio", "bucket totals alone"],
        rows,
    )
    return rows


if __name__ == "__main__":
    main()
