"""The morning decides and stores its customers a batch at a time (so its memory stays flat as
the ledger grows), on SQLite and PostgreSQL: batches of two customers store what one batch
would, each late customer once, every reminder with its audit event on an intact chain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.db import read_only
from bot.domain.escalation import Reason, Suggestion
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Reminder
from bot.services import audit
from bot.services.common.context import Runtime
from bot.services.ledger.importing import import_invoices
from bot.services.reminders.suggestions import held_back, suggest, todays_decisions
from tests.support.csvfiles import line, write_csv

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)  # a Wednesday, 10:00 in Paris
TODAY = date(2026, 11, 25)


def _ledger(engine: Engine, tmp_path: Path) -> Runtime:
    """Seven customers: five late by 10 to 70 days (two invoices each), one not due yet, one
    owing too little to chase (held back, a count the digest shows)."""
    rows = []
    for n in range(5):
        for k in range(2):
            due = TODAY - timedelta(days=10 + 15 * n + k)
            rows.append(
                line(
                    customer_id=f"L{n}",
                    customer_name=f"Late {n}",
                    invoice_number=f"L{n}-{k}",
                    due_date=due.isoformat(),
                    issue_date=(due - timedelta(days=30)).isoformat(),
                )
            )
    rows.append(
        line(
            customer_id="F",
            customer_name="Future",
            invoice_number="F-1",
            due_date=(TODAY + timedelta(days=10)).isoformat(),
            issue_date=(TODAY - timedelta(days=20)).isoformat(),
        )
    )
    rows.append(
        line(
            customer_id="S",
            customer_name="Small",
            invoice_number="S-1",
            due_date=(TODAY - timedelta(days=30)).isoformat(),
            issue_date=(TODAY - timedelta(days=60)).isoformat(),
            amount="1,00",
        )
    )
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows), load_mapping())
    return build_runtime(Settings(), engine, clock=lambda: NOW)


def test_batches_of_two_store_what_one_batch_would(engine: Engine, tmp_path: Path) -> None:
    runtime = _ledger(engine, tmp_path)
    with read_only(engine) as session:
        decided = todays_decisions(session, runtime.policy, NOW)
    expected = {
        (d.customer.id, d.decision.stage.name, tuple(i.number for i in d.decision.invoices))
        for d in decided
        if isinstance(d.decision, Suggestion)
    }
    assert len(expected) == 5
    assert held_back(decided) == {Reason.UNDER_THRESHOLD.value: 1}

    run = suggest(engine, runtime.policy, runtime.composer, NOW, TODAY, batch=2)

    assert {(r.customer_id, r.stage, r.numbers) for r in run.created} == expected
    assert [d.customer.name for d in run.decisions] == [d.customer.name for d in decided]
    assert run.held_back == dict(held_back(decided).most_common())
    with read_only(engine) as session:
        stored = session.execute(sa.select(Reminder.customer_id)).scalars().all()
        events = session.execute(
            sa.select(AuditEvent.kind).where(AuditEvent.kind == "suggested")
        ).all()
        report = audit.verify(session)
    assert sorted(stored) == sorted(c for c, _stage, _numbers in expected)
    assert len(events) == 5 and report.broken_seq is None and report.checked >= 5

    again = suggest(engine, runtime.policy, runtime.composer, NOW, TODAY, batch=3)
    assert again.created == []  # each customer once a day, whatever the batches


def test_without_details_the_run_keeps_counts_only(engine: Engine, tmp_path: Path) -> None:
    runtime = _ledger(engine, tmp_path)
    with read_only(engine) as session:
        decided = todays_decisions(session, runtime.policy, NOW)

    run = suggest(engine, runtime.policy, runtime.composer, NOW, TODAY, details=False, batch=2)

    assert run.created == [] and run.decisions == []
    assert run.held_back == dict(held_back(decided).most_common())
    with read_only(engine) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Reminder)).scalar() == 5
