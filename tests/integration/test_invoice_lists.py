"""An invoice's audit trail finds the events listing it, and only those, on both databases."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import read_only, unit_of_work
from bot.models import Customer, Invoice, Reminder, ReminderInvoice
from bot.services import audit
from bot.services.audit_export import last_events


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


def test_a_reminders_invoices_keep_their_order_in_python_and_in_sql(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        customer = Customer(
            external_id="C1", name="Acme", country="FR", timezone="Europe/Paris", currency="EUR"
        )
        session.add(customer)
        session.flush()
        session.add(
            Reminder(
                customer_id=customer.id,
                run_date=date(2026, 11, 2),
                stage="firm",
                channel="email",
                language="fr",
                invoices=ReminderInvoice.listing(["F-2", "F-1", "F-10"]),
            )
        )
    with read_only(engine) as session:
        (stored,) = session.exec(select(Reminder)).all()
        in_sql = session.execute(sa.select(Reminder.invoice_numbers)).scalar_one()
    assert stored.invoice_numbers == in_sql == "F-2,F-1,F-10"
