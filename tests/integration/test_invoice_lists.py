"""An invoice's audit trail finds the events listing it, and only those, on both databases."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from bot.db import unit_of_work
from bot.models import Customer, Invoice
from bot.services import audit
from bot.services.audit.export import last_events


def test_the_trail_of_an_invoice_matches_whole_numbers_only(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        customer = Customer(
            external_id="C1", name="Acme", country="FR", timezone="Europe/Paris", currency="EUR"
        )
        session.add(customer)
        session.flush()
        for number in ("A_1", "AB1", "A_10"):
            session.add(
                Invoice(
                    number=number,
                    customer_id=customer.id,
                    currency="EUR",
                    issue_date=date(2026, 10, 1),
                    due_date=date(2026, 10, 31),
                )
            )
        for kind, numbers in [
            ("alone", ("A_1",)),
            ("first", ("A_1", "X")),
            ("last", ("X", "A_1")),
            ("between", ("X", "A_1", "Y")),
            ("lookalike", ("X", "AB1")),  # `_` is a LIKE wildcard
            ("longer", ("A_10", "X")),
        ]:
            audit.append(
                session,
                audit.NewEvent(
                    kind=kind, actor="U1", customer_id=customer.id, invoice_numbers=numbers
                ),
            )
    title, events = last_events(engine, "A_1")
    assert title == "invoice A_1"
    assert sorted(e.kind for e in events) == ["alone", "between", "first", "last"]
