"""Every time zone is served: the suggestion is made at the company's digest, the e-mail leaves
in the customer's next business hours, through the outbox and a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.services.delivery.outbox import deliver_due
from bot.services.ledger.importing import import_invoices
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import suggest
from tests.support.csvfiles import line, write_csv
from tests.support.smtp_server import SmtpServer

FRIDAY_DIGEST = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 09:00 in Paris, 19:00 in Sydney
SYDNEY_MONDAY_OPENING = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # 09:00 AEDT, 30 November


def test_a_customer_in_sydney_gets_the_reminder_in_their_monday_business_hours(
    engine: Engine, tmp_path: Path, smtp: SmtpServer
) -> None:
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port)  # type: ignore[arg-type]
    runtime = build_runtime(settings, engine, clock=lambda: FRIDAY_DIGEST)
    rows = [
        line(
            customer_id="SYD",
            customer_name="Harbour Traders Pty Ltd",
            email="ap@harbour.example",
            language="en",
            country="AU",
            timezone="Australia/Sydney",
            currency="AUD",
            invoice_number="H-1",
            amount="5000",
            issue_date="2026-10-01",
            due_date="2026-11-01",
        )
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())

    run = suggest(engine, runtime.policy, runtime.composer, FRIDAY_DIGEST, FRIDAY_DIGEST.date())
    assert [r.send_after for r in run.created] == [SYDNEY_MONDAY_OPENING]
    reminder = run.created[0]
    assert decisions.approve(runtime.drafter(), reminder.id, "UAPPROVE1", now=FRIDAY_DIGEST).won

    for not_yet in (
        FRIDAY_DIGEST + timedelta(hours=1),
        SYDNEY_MONDAY_OPENING - timedelta(minutes=1),
    ):
        assert deliver_due(engine, settings, "worker-1", now=not_yet).sent == []
    assert deliver_due(engine, settings, "worker-1", now=SYDNEY_MONDAY_OPENING).sent == [
        reminder.id
    ]
    assert smtp.received[0].message["To"] == "ap@harbour.example"
