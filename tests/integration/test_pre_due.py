"""The bundled policy's courtesy note goes five days before the due date, speaks of what is
coming due only, and a chase lists what is coming due apart from what it asks for — read from
the database and written in the customer's language, as the morning does it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.services.ledger.importing import import_invoices
from bot.services.reminders.suggestions import suggest
from tests.support.csvfiles import line, write_csv
from tests.support.drafts import written

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()


def _due(days_from_now: int) -> str:
    return (TODAY + timedelta(days=days_from_now)).isoformat()


def test_courtesy_five_days_ahead_and_coming_due_listed_apart(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [
        line(customer_id="AHEAD", invoice_number="F-AHEAD", due_date=_due(5)),
        line(customer_id="EARLY", invoice_number="F-EARLY", due_date=_due(6)),
        line(customer_id="MIXED", invoice_number="F-LATE", due_date=_due(-10)),
        line(customer_id="MIXED", invoice_number="F-SOON", due_date=_due(3), amount="450,00"),
    ]
    for row in rows:
        row.update(issue_date=_due(-60), customer_name=row["customer_id"], payment_link="")
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())
    runtime = build_runtime(Settings(), engine, clock=lambda: NOW)

    run = suggest(engine, runtime.policy, runtime.composer, NOW, TODAY)
    reminders = {r.invoice_numbers: r for r in written(runtime, run.created)}

    assert set(reminders) == {"F-AHEAD", "F-LATE"}  # six days ahead: nothing yet
    courtesy = reminders["F-AHEAD"]
    assert courtesy.stage == "courtesy"
    assert "arrive à échéance le 30 novembre 2026" in courtesy.body_text
    assert "échue" not in courtesy.body_text and "retard" not in courtesy.body_text
    chase = reminders["F-LATE"]
    assert chase.stage == "friendly"
    listed, coming = chase.body_text.split("À échoir, pour votre information (hors total) :")
    assert "F-SOON" not in listed and "Total dû : 1\u202f234,56\xa0€" in listed
    assert "  - Facture F-SOON : 450,00\xa0€, échéance le 28 novembre 2026" in coming
    assert "F-SOON" in chase.body_html.split("À échoir")[1]
