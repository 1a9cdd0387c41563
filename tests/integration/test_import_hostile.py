"""Hostile text at the door: control characters are refused with their line and column named,
and every text field is bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import unit_of_work
from bot.importing.mapping import load_mapping
from bot.models import Customer
from bot.services.ledger.importing import ImportFailed, import_invoices
from tests.support.csvfiles import line, write_csv

RELANCE = load_mapping("relance")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_name", "Evil\nCorp"),
        ("customer_name", "Evil\rBcc: thief@evil.example"),
        ("contact_name", "Jean\x00"),
        ("invoice_number", "F-1\t2"),
        ("payment_link", "https://pay.example/\u2028x"),
        ("notes", "call\x1b[31m"),
    ],
)
def test_control_characters_are_refused_with_the_line_named(
    engine: Engine, tmp_path: Path, field: str, value: str
) -> None:
    path = write_csv(tmp_path / "in.csv", [line(), line(**{"invoice_number": "F-2", field: value})])
    with pytest.raises(ImportFailed) as failed:
        import_invoices(engine, path, RELANCE, actor="tester")
    assert [(e.line, e.column) for e in failed.value.errors] == [(3, field)]
    assert "control character" in str(failed.value)


def test_notes_and_addresses_keep_their_line_breaks_within_a_bound(
    engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv", [line(notes="first line\r\nsecond line", address="1 rue X\n75001")]
    )
    import_invoices(engine, path, RELANCE, actor="tester")
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
    assert customer.notes == "first line\r\nsecond line" and customer.address == "1 rue X\n75001"

    too_long = write_csv(tmp_path / "long.csv", [line(customer_id="C9", notes="x" * 2001)])
    with pytest.raises(ImportFailed, match=r"notes.*longer than 2000"):
        import_invoices(engine, too_long, RELANCE, actor="tester")
