"""Owners on SQLite and PostgreSQL: imported, assigned by rule at suggestion, reassigned."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import read_only, unit_of_work
from bot.domain.owners import Match, OwnerRule
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Contact, Customer, Dispute, Invoice, Promise, Reminder
from bot.services.accounts.owners import assign
from bot.services.common.errors import Invalid
from bot.services.ledger.importing import ImportFailed, import_invoices
from bot.services.overview import cards
from bot.services.overview.worklists import customer_facts
from bot.services.reminders.suggestions import suggest
from tests.support.csvfiles import line, write_csv

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
TODAY = date(2026, 11, 25)
HEADER_WITH_OWNER = [*line().keys(), "owner"]


def ledger(engine: Engine, tmp_path: Path, **owner: str) -> None:
    due = (TODAY - timedelta(days=20)).isoformat()
    rows = [
        line(customer_id="A", invoice_number="A-1", due_date=due, owner=owner.get("A", "")),
        line(
            customer_id="B",
            customer_name="Bee Ltd",
            invoice_number="B-1",
            due_date=due,
            country="GB",
            timezone="Europe/London",
            currency="GBP",
            owner=owner.get("B", ""),
        ),
    ]
    path = write_csv(tmp_path / "l.csv", rows, header=HEADER_WITH_OWNER)
    import_invoices(engine, path, load_mapping())


def owners(engine: Engine) -> dict[str, str]:
    with read_only(engine) as session:
        return {c.external_id: c.owner for c in session.exec(select(Customer))}


def test_the_owner_column_is_imported_and_a_bad_one_named(engine: Engine, tmp_path: Path) -> None:
    ledger(engine, tmp_path, A="<@UCAMILLE>")
    assert owners(engine) == {"A": "UCAMILLE", "B": ""}
    bad = write_csv(tmp_path / "bad.csv", [line(owner="camille")], header=HEADER_WITH_OWNER)
    with pytest.raises(ImportFailed, match="line 2, column 'owner'"):
        import_invoices(engine, bad, load_mapping())
    write_csv(tmp_path / "no-owner.csv", [line(customer_id="A", invoice_number="A-1")])
    import_invoices(engine, tmp_path / "no-owner.csv", load_mapping())
    assert owners(engine)["A"] == "UCAMILLE"  # a file without the column keeps owners


def test_suggestions_go_to_the_named_owner_else_the_rule(engine: Engine, tmp_path: Path) -> None:
    ledger(engine, tmp_path, A="UCAMILLE")
    runtime = build_runtime(Settings(), engine)
    policy = replace(runtime.policy, owners=(OwnerRule("USAMIR", Match(country="GB")),))
    suggest(engine, policy, runtime.composer, NOW, TODAY)
    with read_only(engine) as session:
        reminders = session.exec(select(Reminder).order_by(Reminder.customer_id)).all()
    assert [r.owner for r in reminders] == ["UCAMILLE", "USAMIR"]


def test_assigning_moves_todays_undecided_reminders(engine: Engine, tmp_path: Path) -> None:
    ledger(engine, tmp_path)
    runtime = build_runtime(Settings(), engine)
    suggest(engine, runtime.policy, runtime.composer, NOW, TODAY)
    done = assign(engine, "Bee", "<@USAMIR|samir>", "ULEAD", TODAY)
    assert (done.customer, done.owner, done.before, done.moved) == ("Bee Ltd", "USAMIR", "", 1)
    with read_only(engine) as session:
        moved = session.exec(select(Reminder).where(Reminder.owner == "USAMIR")).all()
        event = session.exec(select(AuditEvent).where(AuditEvent.kind == "assign")).one()
    assert len(moved) == 1 and event.actor == "ULEAD"
    with pytest.raises(Invalid, match="not a Slack user id"):
        assign(engine, "Bee", "samir", "ULEAD", TODAY)


def test_the_thread_gets_nobodys_reminders_and_stages_that_need_the_channel(
    engine: Engine, tmp_path: Path
) -> None:
    ledger(engine, tmp_path, A="UCAMILLE")
    runtime = build_runtime(Settings(), engine)
    suggest(engine, runtime.policy, runtime.composer, NOW, TODAY)
    with read_only(engine) as session:
        ids = dict(session.exec(select(Reminder.owner, Reminder.id)).all())
    assert cards.without_card(engine, TODAY, (), page=10) == cards.ThreadPage([ids[""]], 0)
    everyone = cards.without_card(engine, TODAY, ("friendly",), page=1)
    assert everyone == cards.ThreadPage([min(ids.values())], 1)


def test_customer_facts_say_the_last_contact_the_history_and_what_holds(
    engine: Engine, tmp_path: Path
) -> None:
    ledger(engine, tmp_path)
    with unit_of_work(engine) as session:
        a = session.exec(select(Customer).where(Customer.external_id == "A")).one()
        invoice = session.exec(select(Invoice).where(Invoice.number == "A-1")).one()
        for days, stage, outcome in ((9, "friendly", ""), (4, "firm", "bounced")):
            session.add(
                Contact(
                    customer_id=a.id,
                    occurred_at=NOW - timedelta(days=days),
                    channel="email",
                    stage=stage,
                    outcome=outcome,
                )
            )
        session.add(Promise(invoice_id=invoice.id, promised_date=TODAY, created_by="U1"))
        session.add(Dispute(invoice_id=invoice.id, reason="price", opened_by="U1"))
        a_id = a.id
    with read_only(engine) as session:
        facts = customer_facts(session.connection(), [a_id])[a_id]
    assert facts.history == ("friendly", "firm") and facts.promised and facts.disputed
    assert not facts.on_plan
    assert (facts.last_contact.stage, facts.last_contact.outcome) == ("firm", "bounced")
    assert facts.last_contact.day == NOW - timedelta(days=4)
