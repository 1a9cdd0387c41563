"""Suggestions: today's decisions for 20,000 customers with 100,000 open invoices, against the
time it takes just to read the same rows from the database.

Usage: python -m bench.suggestions_bench
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.databases import fresh, print_table
from bench.import_bench import generate
from bot.config import Settings
from bot.db import make_engine, read_only
from bot.importing.mapping import load_mapping
from bot.runtime import build_runtime
from bot.services.importing import import_invoices
from bot.services.suggestions import todays_decisions

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
LINES = 100_000


def _read_rows(engine: sa.Engine) -> None:
    """The floor: fetch the open invoices and their customers, nothing else."""
    with engine.connect() as conn:
        conn.execute(sa.text(
            "SELECT i.*, c.* FROM invoice i JOIN customer c ON c.id = i.customer_id"
            " WHERE i.amount_minor > i.paid_minor"
        )).all()


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.csv"
        generate(path, LINES)
        for backend in ("sqlite", "postgresql"):
            engine = make_engine(fresh(backend, "suggestions"))
            import_invoices(engine, path, load_mapping())
            rt = build_runtime(Settings(), engine)

            def decide_all(rt=rt, engine=engine) -> None:  # type: ignore[no-untyped-def]
                with read_only(engine) as session:
                    todays_decisions(session, rt.policy, NOW)

            decisions = best_of(3, decide_all)
            baseline = best_of(3, lambda engine=engine: _read_rows(engine))
            with read_only(engine) as session:
                count = len(todays_decisions(session, rt.policy, NOW))
            rows.append([backend, f"{count:,}", f"{decisions:.2f} s", f"{baseline:.2f} s",
                         f"{decisions / baseline:.1f}×"])
            engine.dispose()
    print_table(f"Suggestions ({LINES:,} open invoices, 20,000 customers)",
                ["database", "customers", "decide all", "read rows", "ratio"], rows)
    return rows


if __name__ == "__main__":
    main()
