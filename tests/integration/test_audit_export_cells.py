"""The audit CSV opened in a spreadsheet: text that looks like a formula stays text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import unit_of_work
from bot.importing.mapping import load_mapping
from bot.models import Customer
from bot.services import audit
from bot.services.audit.export import export_csv
from bot.services.ledger.importing import import_invoices
from tests.support.csvfiles import line, write_csv

HOSTILE = {
    "customer_name": '=HYPERLINK("https://evil.example","Pay here")',
    "invoice_number": "@SUM(A1:A9)",
    "contact_name": "-2+3",
}


def test_formula_like_cells_are_neutralised(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [line(**HOSTILE)])
    import_invoices(engine, path, load_mapping("relance"), actor="+cmd|' /C calc'!A0")
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
        audit.append(
            session,
            audit.NewEvent(
                kind="paused",
                actor="U1",
                customer_id=customer.id,
                invoice_numbers=(HOSTILE["invoice_number"],),
            ),
        )
    out = io.StringIO()
    assert export_csv(engine, out) >= 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    imported = rows[-2]
    assert imported["actor"] == "'+cmd|' /C calc'!A0"
    assert '\'=HYPERLINK("https://evil.example","Pay here")' in {r["customer"] for r in rows}
    assert any(r["invoices"] == "'@SUM(A1:A9)" for r in rows)
