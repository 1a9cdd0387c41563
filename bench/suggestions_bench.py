"""Suggestions: today's decisions for 20,000 customers with 100,000 open invoices, against the
time it takes just to read the same rows from the database.

Beside it, once per database, the suggesting step of the morning: deciding, planning each
suggested reminder's wording (the texts are written when first read), and storing the reminders
with their invoice lists and audit events. The ledger has no contact history, so nearly every
customer gets a first reminder: the worst day.

Usage: python -m bench.suggestions_bench
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from bench.databases import OPEN_INVOICES, best_of, loaded_ledgers, print_table
from bot.config import Settings
from bot.db import read_only
from bot.entry.composition import build_runtime
from bot.services.reminders.suggestions import suggest, todays_decisions

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
LINES = OPEN_INVOICES


def _read_rows(engine: sa.Engine) -> None:
    """The floor: fetch the open invoices and their customers, nothing else."""
    with engine.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT i.*, c.* FROM invoice i JOIN customer c ON c.id = i.customer_id"
                " WHERE i.amount_minor > i.paid_minor"
            )
        ).all()


def main() -> list[list[str]]:
    logging.getLogger("bot.entry.composition").setLevel(
        logging.ERROR
    )  # stale-rate notices: not results
    rows = []
    for backend, engine in loaded_ledgers(LINES, "suggestions"):
        rt = build_runtime(Settings(), engine)

        def decide_all(rt=rt, engine=engine) -> int:  # type: ignore[no-untyped-def]
            with read_only(engine) as session:
                return len(todays_decisions(session, rt.policy, NOW))

        decisions = best_of(3, decide_all)
        baseline = best_of(3, lambda engine=engine: _read_rows(engine))
        start = time.perf_counter()
        stored = suggest(engine, rt.policy, rt.composer, NOW, NOW.date()).created
        whole_job = time.perf_counter() - start
        rows.append(
            [
                backend,
                f"{decide_all():,}",
                f"{decisions:.2f} s",
                f"{baseline:.2f} s",
                f"{decisions / baseline:.1f}×",
                f"{len(stored):,}",
                f"{whole_job:.1f} s",
            ]
        )
    print_table(
        f"Suggestions ({LINES:,} open invoices, 20,000 customers)",
        [
            "database",
            "customers",
            "decide all",
            "read rows",
            "ratio",
            "reminders stored",
            "decide + plan + store",
        ],
        rows,
    )
    return rows


if __name__ == "__main__":
    main()
