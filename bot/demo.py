"""`relance demo`: the whole flow on the bundled sample ledger, in the terminal, offline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot import terminal
from bot.config import Settings
from bot.db import make_engine, unit_of_work, upgrade
from bot.importing.mapping import load_mapping
from bot.sample_data import write_sample_invoices
from bot.services.aging_report import aging_report
from bot.services.importing import import_invoices


def run_demo(settings: Settings, workdir: Path) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "demo.sqlite"
    for leftover in workdir.glob("demo.sqlite*"):
        leftover.unlink()
    today = date.today()
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)

    sample = workdir / "sample-invoices.csv"
    write_sample_invoices(sample, today)
    print(terminal.heading(f"Importing the sample ledger ({sample})"))
    report = import_invoices(engine, sample, load_mapping("relance"), actor="demo",
                             fallback_timezone=settings.timezone)
    print("\n".join(terminal.import_lines(report)))

    with unit_of_work(engine) as session:
        aging = aging_report(session, today)
    print(terminal.heading(f"Aging on {today:%A %d %B %Y}"))
    print("\n".join(terminal.aging_lines(aging)))
    print(terminal.heading("Largest overdue balances (per currency)"))
    print("\n".join(terminal.top_overdue_lines(aging)))
    print(f"\nDemo database: {database}")
    return 0
