"""A contact's salutation comes from the ledger and gives each language its formal greeting."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import unit_of_work
from bot.entry.composition import build_runtime, next_business_morning
from bot.entry.sample_data import HEADER
from bot.importing.mapping import load_mapping
from bot.models import Customer
from bot.services.ledger.importing import ImportFailed, import_invoices
from bot.services.reminders.suggestions import suggest
from tests.support.csvfiles import line, write_csv
from tests.support.drafts import written

WEBER = {
    "customer_id": "D1",
    "customer_name": "Weber Logistik GmbH",
    "contact_name": "Katrin Weber",
    "salutation": "Frau",
    "language": "de",
    "country": "DE",
    "timezone": "Europe/Berlin",
    "due_date": "2026-11-01",
}


def _salutations(engine: Engine) -> list[str]:
    with unit_of_work(engine) as session:
        return list(session.exec(select(Customer.salutation).order_by(Customer.id)).all())


def test_the_salutation_is_imported_and_greets_the_contact(engine: Engine, tmp_path: Path) -> None:
    import_invoices(engine, write_csv(tmp_path / "l.csv", [line(**WEBER)]), load_mapping())
    assert _salutations(engine) == ["Frau"]

    settings = Settings()
    now = next_business_morning(date(2026, 11, 25), settings)
    runtime = build_runtime(settings, engine, clock=lambda: now)
    reminder = written(
        runtime, suggest(engine, runtime.policy, runtime.composer, now, now.date()).created
    )[0]
    assert reminder.body_text.startswith("Sehr geehrte Frau Weber,\n")
    assert "<p>Sehr geehrte Frau Weber,</p>" in reminder.body_html

    # an export without the column leaves the salutation as it was
    without = [h for h in HEADER if h != "salutation"]
    path = write_csv(tmp_path / "again.csv", [line(**WEBER)], header=without)
    import_invoices(engine, path, load_mapping())
    assert _salutations(engine) == ["Frau"]


def test_a_salutation_too_long_is_refused_with_its_line(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", [line(**{**WEBER, "salutation": "x" * 41})])
    with pytest.raises(ImportFailed) as failed:
        import_invoices(engine, path, load_mapping())
    assert [(e.line, e.column) for e in failed.value.errors] == [(2, "salutation")]
