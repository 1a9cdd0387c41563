"""A small ledger for the customer's page: a French customer with three late euro invoices,
a German one, and a British one in pounds."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import read_only
from bot.importing.mapping import load_mapping
from bot.models import Customer
from bot.services.ledger.importing import import_invoices
from tests.support.csvfiles import line, write_csv

TODAY = date(2026, 11, 26)


def page_customers(engine: Engine, tmp_path: Path, today: date = TODAY) -> dict[str, int]:
    """Imports the ledger; the customers' database ids by their external id."""

    def due(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    rows = [
        line(
            customer_id="A",
            invoice_number="F-101",
            amount="1 200,00",
            due_date=due(40),
            issue_date=due(70),
        ),
        line(
            customer_id="A",
            invoice_number="F-102",
            amount="350,50",
            amount_paid="50,50",
            due_date=due(20),
            issue_date=due(50),
        ),
        line(
            customer_id="A",
            invoice_number="F-103",
            amount="99,90",
            due_date=due(5),
            issue_date=due(35),
            payment_link="",
        ),
        line(
            customer_id="B",
            customer_name="Müller Werkzeug GmbH",
            contact_name="Anna Müller",
            email="anna@mueller.example",
            language="de",
            country="DE",
            timezone="Europe/Berlin",
            invoice_number="D-201",
            amount="2 500,00",
            due_date=due(25),
            issue_date=due(55),
        ),
        line(
            customer_id="C",
            customer_name="Thames Tools Ltd",
            contact_name="Tom",
            email="tom@thames.example",
            language="en",
            country="GB",
            timezone="Europe/London",
            currency="GBP",
            invoice_number="G-301",
            amount="800.00",
            due_date=due(15),
            issue_date=due(45),
        ),
    ]
    import_invoices(engine, write_csv(tmp_path / "page-ledger.csv", rows), load_mapping())
    with read_only(engine) as session:
        return {c.external_id: c.id for c in session.exec(select(Customer)).all()}
