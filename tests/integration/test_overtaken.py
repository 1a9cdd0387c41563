"""Suggestions overtaken by what a person records from a customer's message, on SQLite and
PostgreSQL: one that chases an invoice now disputed expires, with why, by whom, in the audit
trail; one that does not chase it stays to be decided; a decided reminder and other customers'
suggestions are left as they are. Each action names the reminders whose cards change."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import read_only
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, InboundMessage, Reminder
from bot.runtime import build_runtime, next_business_morning
from bot.services import decisions, inbox, inbox_actions
from bot.services.importing import import_invoices
from bot.services.suggestions import suggest
from tests.support.csvfiles import line, write_csv
from tests.support.drafts import written
from tests.support.mail_samples import reply

MONDAY = date(2026, 11, 30)
OWNER = "UOWNER1"


def _morning_and_a_reply(engine: Engine, tmp_path: Path) -> tuple[dict[str, int], int]:
    """Atelier Lefèvre (owned, one invoice late and one not yet due) and Bee (unowned, late),
    each with today's suggestion written; then Atelier Lefèvre's reply, recorded."""
    settings = Settings()
    now = next_business_morning(MONDAY, settings)
    runtime = build_runtime(settings, engine, clock=lambda: now)
    rows = [
        line(customer_id="A", invoice_number="A-1", due_date="2026-11-10", owner=OWNER),
        line(customer_id="A", invoice_number="A-2", due_date="2026-12-20", owner=OWNER),
        line(
            customer_id="B",
            customer_name="Bee",
            email="ap@bee.example",
            invoice_number="B-1",
            due_date="2026-11-10",
        ),
    ]
    header = [*line().keys(), "owner"]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows, header=header), load_mapping())
    created = suggest(engine, runtime.policy, runtime.composer, now, now.date()).created
    reminders = {r.invoice_numbers: r.id for r in written(runtime, created)}
    assert set(reminders) == {"A-1", "B-1"}  # A-2 is not due yet
    inbox.record(engine, "INBOX", 1, 1, reply(text="A-2 is wrong; A-1 is paid.").as_bytes(), now)
    with read_only(engine) as session:
        inbound_id = session.exec(select(InboundMessage.id)).one()
    return reminders, inbound_id


def _states(engine: Engine) -> dict[str, tuple[str, str]]:
    with read_only(engine) as session:
        return {r.invoice_numbers: (r.state, r.skip_reason) for r in session.exec(select(Reminder))}


def test_a_dispute_expires_only_the_suggestion_that_chases_its_invoice(
    engine: Engine, tmp_path: Path
) -> None:
    reminders, inbound_id = _morning_and_a_reply(engine, tmp_path)
    waiting = ("suggested", "")

    acted = inbox_actions.dispute(engine, inbound_id, ["A-2"], "wrong goods", "U1")
    assert acted.customer_name == "Atelier Lefèvre"
    assert acted.touched.reminders == (reminders["A-1"],)  # its card: flags change
    assert acted.touched.owners == (OWNER,)
    assert _states(engine) == {"A-1": waiting, "B-1": waiting}

    acted = inbox_actions.dispute(engine, inbound_id, ["A-1"], "never delivered", "U1")
    assert acted.touched.reminders == (reminders["A-1"],)
    expired = ("expired", "no longer holds: A-1 disputed by the customer")
    assert _states(engine) == {"A-1": expired, "B-1": waiting}
    with read_only(engine) as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.kind == "expired")).all()
    assert event.actor == "U1" and json.loads(event.content)["reminder"] == reminders["A-1"]


def test_a_decided_reminder_stays_as_decided(engine: Engine, tmp_path: Path) -> None:
    reminders, inbound_id = _morning_and_a_reply(engine, tmp_path)
    policies = build_runtime(Settings(), engine).governing()
    decisions.skip(engine, reminders["A-1"], "U2", "called them instead", policies)

    acted = inbox_actions.reported_paid(engine, inbound_id, "U1")
    assert acted.touched.reminders == () and acted.touched.owners == ()
    assert _states(engine)["A-1"] == ("skipped", "called them instead")
