"""Suggesting on SQLite and PostgreSQL: once per customer per day, history and holds respected."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import unit_of_work
from bot.domain.escalation import Reason, Suggestion
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Contact, Customer, Dispute, Invoice, Reminder
from bot.services.ledger.importing import import_invoices
from bot.services.reminders.suggestions import suggest, todays_decisions
from tests.support.csvfiles import line, write_csv
from tests.support.drafts import written

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)  # a Wednesday, 10:00 in Paris
TODAY = date(2026, 11, 25)


@pytest.fixture
def ledger(engine: Engine, tmp_path: Path) -> Engine:
    def due(days_late: int) -> str:
        return (TODAY - timedelta(days=days_late)).isoformat()

    rows = [
        line(customer_id="A", invoice_number="A-1", due_date=due(20), issue_date=due(50)),
        line(customer_id="A", invoice_number="A-2", due_date=due(5), issue_date=due(35)),
        line(
            customer_id="B",
            customer_name="Thornton & Hale Ltd",
            language="en",
            country="GB",
            timezone="Europe/London",
            currency="GBP",
            invoice_number="B-1",
            due_date=due(40),
            issue_date=due(70),
        ),
        line(
            customer_id="C",
            customer_name="Paid Up",
            invoice_number="C-1",
            due_date=due(40),
            issue_date=due(70),
            amount="100",
            amount_paid="100",
        ),
    ]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows), load_mapping())
    return engine


def runtime(engine: Engine):  # type: ignore[no-untyped-def]
    return build_runtime(Settings(), engine)


def test_one_reminder_per_customer_per_day(ledger: Engine) -> None:
    rt = runtime(ledger)
    first = suggest(ledger, rt.policy, rt.composer, NOW, TODAY)
    again = suggest(ledger, rt.policy, rt.composer, NOW, TODAY)
    assert len(first.created) == 2 and again.created == []
    with unit_of_work(ledger) as session:
        reminders = session.exec(select(Reminder).order_by(Reminder.customer_id)).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.kind == "suggested")).all()
    assert [(r.stage, r.language, r.invoice_numbers) for r in reminders] == [
        ("friendly", "fr", "A-1,A-2"),
        ("friendly", "en", "B-1"),
    ]
    reminders = written(rt, reminders)
    assert "A-1" in reminders[0].body_text and "1\u202f234,56" in reminders[0].body_text
    assert reminders[1].subject.endswith("£1,234.56")
    assert len(events) == 2 and json.loads(events[0].content)["stage"] == "friendly"


def test_yesterdays_undecided_suggestions_expire(ledger: Engine) -> None:
    rt = runtime(ledger)
    suggest(ledger, rt.policy, rt.composer, NOW - timedelta(days=1), TODAY - timedelta(days=1))
    suggest(ledger, rt.policy, rt.composer, NOW, TODAY)
    with unit_of_work(ledger) as session:
        states = session.exec(
            select(Reminder.run_date, Reminder.state).order_by(Reminder.run_date)
        ).all()
    assert [s for _d, s in states] == ["expired", "expired", "suggested", "suggested"]


def test_history_disputes_and_pauses_shape_the_decisions(ledger: Engine) -> None:
    rt = runtime(ledger)
    with unit_of_work(ledger) as session:
        a = session.exec(select(Customer).where(Customer.external_id == "A")).one()
        session.add(
            Contact(
                customer_id=a.id,
                channel="email",
                stage="friendly",
                occurred_at=NOW - timedelta(days=10),
            )
        )
        b_invoice = session.exec(select(Invoice).where(Invoice.number == "B-1")).one()
        session.add(Dispute(invoice_id=b_invoice.id, reason="wrong quantity", opened_by="U1"))
    with unit_of_work(ledger) as session:
        decisions = {
            d.customer.external_id: d.decision for d in todays_decisions(session, rt.policy, NOW)
        }
    assert set(decisions) == {"A", "B"}  # C has paid: not considered
    assert isinstance(decisions["A"], Suggestion) and decisions["A"].stage.name == "firm"
    assert decisions["B"].reason is Reason.DISPUTED  # type: ignore[union-attr]

    with unit_of_work(ledger) as session:
        a = session.exec(select(Customer).where(Customer.external_id == "A")).one()
        a.paused, a.paused_until = True, TODAY + timedelta(days=3)
    with unit_of_work(ledger) as session:
        decisions = {
            d.customer.external_id: d.decision for d in todays_decisions(session, rt.policy, NOW)
        }
    assert decisions["A"].reason is Reason.PAUSED  # type: ignore[union-attr]
