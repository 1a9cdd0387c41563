"""Cash application: a bank statement of N lines matched to the open invoices of a mid-size
company (bench/import_bench.py's ledger: N invoices of 20,000 customers) and recorded —
applications, audit events, overtaken reminders — against reading the same
invoices and the statement's lines back from the database (the fastest of three reads), in the
same run, on both databases. The thank-you notes proposed afterwards (stored undrafted, written
when first opened) are timed apart. The peak is this process's VmHWM so far (both databases,
the generated ledger and statement included).

The statement is built in memory (parsing a file is the readers' cost, not matching's): 70% of
its lines name an invoice number in their text, 10% quote its RF reference, 10% only a payer's
name for one invoice's amount, 5% come from unknown payers, 5% are fees.

Usage: python -m bench.cash_bench [LINES ...]   (default: 100000; run small to try it: 2000)
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from bench.databases import best_of, loaded_ledgers, print_table
from bench.import_bench import generate, peak_mb
from bot.config import Settings
from bot.domain.bank_statement import Statement, StatementLine
from bot.domain.creditor_reference import creditor_reference
from bot.domain.payment_matching import MatchPolicy
from bot.entry.composition import build_runtime
from bot.services import cash

BOOKED = date(2026, 11, 26)


def _open_invoices(ledger: Path) -> list[tuple[str, str, str, Decimal]]:
    """(number, customer name, currency, balance) of each generated invoice."""
    with ledger.open(encoding="utf-8", newline="") as source:
        rows = csv.DictReader(source)
        return [
            (
                r["invoice_number"],
                r["customer_name"],
                r["currency"],
                Decimal(r["amount"]) - Decimal(r["amount_paid"]),
            )
            for r in rows
        ]


def statement(
    invoices: list[tuple[str, str, str, Decimal]], lines: int, seed: int = 11
) -> Statement:
    rng = random.Random(seed)
    chosen = rng.sample(invoices, min(lines, len(invoices)))
    out: list[StatementLine] = []
    for n, (number, name, currency, balance) in enumerate(chosen):
        kind = rng.random()
        text, payer, credit = "", "", True
        if kind < 0.70:
            text = f"Payment invoice {number} thank you"
        elif kind < 0.80:
            text = creditor_reference(number) or number
        elif kind < 0.90:
            payer = name
        elif kind < 0.95:
            payer = f"Stranger {n}"
        else:
            credit, text = False, "Bank fees"
        out.append(
            StatementLine(
                n + 1, f"BENCH-{n:08d}", BOOKED, balance, currency, credit, False, payer, "", text
            )
        )
    return Statement("camt.053", "FR7630006000011234567890189", tuple(out))


def _read_back(engine: sa.Engine) -> None:
    """The baseline: the open invoices with their customers, and the statement's lines."""
    with engine.connect() as conn:
        conn.exec_driver_sql(
            "SELECT i.number, i.customer_id, i.currency, i.amount_minor, i.paid_minor, "
            "i.due_date, c.name FROM invoice i JOIN customer c ON c.id = i.customer_id"
        ).all()
        conn.exec_driver_sql("SELECT * FROM bank_line").all()


def main(sizes: list[int]) -> list[list[str]]:
    rows = []
    for lines in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            ledger = Path(tmp) / "ledger.csv"
            generate(ledger, lines)
            bank = statement(_open_invoices(ledger), lines)
            source = Path(tmp) / "statement.xml"
            source.write_text("built in memory by bench/cash_bench.py", encoding="utf-8")
            for backend, engine in loaded_ledgers(lines, "cash"):
                runtime = build_runtime(Settings(), engine)
                start = time.perf_counter()
                report = cash.import_statement(engine, bank, source, policy=MatchPolicy())
                ours = time.perf_counter() - start
                start = time.perf_counter()
                thanks = cash.after_import(
                    engine,
                    report,
                    composer=runtime.composer,
                    policies=runtime.governing(),
                    run_date=BOOKED,
                    actor="bench",
                )
                follow_up = time.perf_counter() - start
                base = best_of(3, lambda engine=engine: _read_back(engine))
                rows.append(
                    [
                        f"{lines:,}",
                        backend,
                        f"{ours:.1f} s",
                        f"{base:.2f} s",
                        f"{ours / base:.1f}×",
                        f"{report.applied:,}",
                        f"{len(report.to_decide):,}",
                        f"{thanks:,} in {follow_up:.1f} s",
                        f"{peak_mb():.0f} MB",
                    ]
                )
    print_table(
        "Cash application (statement lines against as many open invoices, 20,000 customers)",
        [
            "lines",
            "database",
            "match+record",
            "read both",
            "ratio",
            "applied",
            "to decide",
            "thank-yous (after)",
            "peak",
        ],
        rows,
    )
    return rows


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000])
