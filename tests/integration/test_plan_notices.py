"""A payment plan told to the customer: the schedule once agreed, a note before each
instalment (once), a notice when one is missed — each a reminder awaiting approval in the
customer's language, in the audit trail, and sent through a real SMTP server once approved
(the plan that holds the ladder does not stop them)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import read_only
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Reminder
from bot.services.accounts.plans import propose_plan, settle_plans
from bot.services.common.context import Runtime
from bot.services.delivery.outbox import deliver_due
from bot.services.ledger.importing import import_invoices
from bot.services.reminders import decisions
from tests.support.csvfiles import line, write_csv
from tests.support.smtp_server import SmtpServer

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
FIRST = date(2026, 12, 1)
CUSTOMERS = {
    "fr": dict(customer_id="FR1", customer_name="Atelier Lefèvre", country="FR", amount="900,00"),
    "de": dict(
        customer_id="DE1",
        customer_name="Müller Werkzeug GmbH",
        contact_name="Anna Müller",
        salutation="Frau",
        email="anna@mueller.example",
        country="DE",
        timezone="Europe/Berlin",
        amount="900,00",
    ),
    "es": dict(
        customer_id="ES1",
        customer_name="Talleres Sánchez",
        contact_name="Lucía Sánchez",
        email="lucia@sanchez.example",
        country="ES",
        timezone="Europe/Madrid",
        amount="900,00",
    ),
    "en": dict(
        customer_id="GB1",
        customer_name="Thames Tools Ltd",
        contact_name="Tom Baker",
        email="tom@thames.example",
        country="GB",
        timezone="Europe/London",
        amount="900,00",
    ),
}
#: What each language says of a three-instalment schedule of 300 € from 1 December 2026.
SCHEDULE = {
    "fr": ("Votre échéancier de paiement : 3 échéances", "  - 1er décembre 2026 : 300,00\xa0€"),
    "de": ("Ihre Ratenzahlung: 3 Raten", "  - 1. Dezember 2026: 300,00\xa0€"),
    "es": ("Su plan de pagos: 3 plazos", "  - 1 de diciembre de 2026: 300,00\xa0€"),
    "en": ("Your payment plan: 3 instalments", "  - 1 December 2026: €300.00"),
}


@pytest.fixture
def runtime(engine: Engine, tmp_path: Path, smtp: SmtpServer) -> Runtime:
    rows = [
        line(
            language=language,
            invoice_number=f"{language.upper()}-1",
            issue_date="2026-09-01",
            due_date="2026-10-01",
            payment_link="",
            **values,
        )
        for language, values in CUSTOMERS.items()
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port)
    return build_runtime(settings, engine, clock=lambda: NOW)


def _agree(runtime: Runtime, customer: str, count: int = 3) -> int:
    outcome = propose_plan(
        runtime.engine,
        customer,
        count,
        FIRST,
        "UAPPROVE1",
        False,
        runtime.governing(),
        TODAY,
        runtime.composer,
    )
    assert outcome.accepted and outcome.confirmation is not None
    return outcome.confirmation


def _reminders(engine: Engine, stage: str) -> list[Reminder]:
    with read_only(engine) as session:
        return list(session.exec(select(Reminder).where(Reminder.stage == stage)).all())


@pytest.mark.parametrize("language", list(CUSTOMERS))
def test_an_agreed_plan_suggests_its_schedule_in_the_customers_language(
    runtime: Runtime, language: str
) -> None:
    reminder_id = _agree(runtime, CUSTOMERS[language]["customer_id"])
    with read_only(runtime.engine) as session:
        reminder = session.get(Reminder, reminder_id)
        event = session.exec(select(AuditEvent).where(AuditEvent.kind == "suggested")).one()
    assert reminder is not None and reminder.state == "suggested"
    assert reminder.stage == "plan-confirmed" and reminder.language == language
    assert reminder.numbers == (f"{language.upper()}-1",)
    subject, first_line = SCHEDULE[language]
    assert reminder.subject.startswith(subject)
    assert first_line in reminder.body_text.splitlines()
    assert len([ln for ln in reminder.body_text.splitlines() if ln.startswith("  - ")]) == 3
    assert "{{" not in reminder.body_text and "<table" not in reminder.body_text
    assert json.loads(event.content)["stage"] == "plan-confirmed"
    assert event.actor == "UAPPROVE1"


def test_the_confirmation_goes_once_approved_though_the_plan_holds_the_ladder(
    runtime: Runtime, smtp: SmtpServer
) -> None:
    reminder_id = _agree(runtime, "DE1")
    assert decisions.approve(runtime.drafter(), reminder_id, "UAPPROVE1", now=NOW).won
    report = deliver_due(runtime.engine, runtime.settings, "w", now=NOW + timedelta(minutes=1))
    assert report.sent == [reminder_id] and report.cancelled == []
    (got,) = smtp.received
    assert got.message["To"] == "anna@mueller.example"
    text = got.message.get_body(("plain",)).get_content()
    assert text.startswith("Sehr geehrte Frau Müller,")
    assert "  - 31. Dezember 2026: 300,00\xa0€" in text


def test_a_note_before_each_instalment_once_and_a_notice_when_one_is_missed(
    runtime: Runtime,
) -> None:
    _agree(runtime, "ES1", count=2)
    governing = runtime.governing()
    settle_plans(runtime.engine, date(2026, 11, 27), governing, runtime.composer)
    assert _reminders(runtime.engine, "plan-due") == []  # four days ahead: not yet
    settle_plans(runtime.engine, date(2026, 11, 28), governing, runtime.composer)
    settle_plans(runtime.engine, date(2026, 11, 30), governing, runtime.composer)
    (due,) = _reminders(runtime.engine, "plan-due")  # once for this instalment
    assert due.run_date == date(2026, 11, 28)
    assert due.subject.startswith("Plazo de 450,00\xa0€ con vencimiento el 1 de diciembre de 2026")
    assert "  - 1 de diciembre de 2026: 450,00\xa0€ (próximo)" in due.body_text.splitlines()

    missed = settle_plans(runtime.engine, date(2026, 12, 5), governing, runtime.composer)
    assert len(missed) == 1
    (notice,) = _reminders(runtime.engine, "plan-missed")
    assert notice.subject.startswith("Plazo de 450,00\xa0€ no recibido")
    assert "vencía el 1 de diciembre de 2026" in notice.body_text
    with read_only(runtime.engine) as session:
        stages = [
            json.loads(e.content)["stage"]
            for e in session.exec(select(AuditEvent).where(AuditEvent.kind == "suggested"))
        ]
    assert stages == ["plan-confirmed", "plan-due", "plan-missed"]
