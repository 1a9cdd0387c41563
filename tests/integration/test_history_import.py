"""Go-live: past contacts imported, so the ladder continues where the team left off; where no
history exists, the policy may start a long-overdue customer higher, and the card says so."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings, load_policy
from bot.db import unit_of_work
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Contact, Reminder
from bot.services import audit
from bot.services.ledger.history import import_history
from bot.services.ledger.importing import ImportFailed, import_invoices
from bot.services.overview.reminder_view import load_view
from bot.services.reminders.drafting import Drafter
from bot.services.reminders.suggestions import suggest
from bot.slack.blocks.card import reminder_card
from tests.support.csvfiles import line, write_csv

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)  # a Wednesday, 10:00 in Paris
TODAY = date(2026, 11, 25)
POLICY = load_policy()
HEADER = "date,customer,invoices,stage,channel,who,note\n"


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


@pytest.fixture
def late_ledger(engine: Engine, tmp_path: Path) -> Engine:
    """One customer 199 days late, one 20 days late."""
    rows = [
        line(invoice_number="F-001", issue_date=ago(229), due_date=ago(199)),
        line(
            customer_id="C2",
            customer_name="Thornton & Hale Ltd",
            invoice_number="F-002",
            issue_date=ago(50),
            due_date=ago(20),
        ),
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())
    return engine


def history_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def suggested_stages(engine: Engine, policy=POLICY) -> dict[str, Reminder]:  # type: ignore[no-untyped-def]
    runtime = build_runtime(Settings(), engine)
    run = suggest(engine, policy, runtime.composer, NOW, TODAY)
    return {r.invoice_numbers: r for r in run.created}


def test_without_history_a_customer_199_days_late_gets_the_final_notice_not_a_friendly_one(
    late_ledger: Engine,
) -> None:
    """The bundled policy at go-live: the stage the lateness calls for, and the card says why."""
    late = suggested_stages(late_ledger)["F-001"]
    assert late.stage == "final"
    assert late.stage_note == (
        "first contact 199 days late: the policy starts at the final stage from 90 days"
    )


def test_imported_history_lets_the_ladder_continue(late_ledger: Engine, tmp_path: Path) -> None:
    path = history_file(
        tmp_path,
        f"{ago(190)},C1,F-001,friendly,,Marie,First reminder sent from Outlook\n"
        f"{ago(170)},Atelier Lefèvre,F-001,firm,,Marie,\n"
        f'{ago(150)},C1,F-001,,phone,Paul,"Spoke to Jean; promised, then nothing"\n',
    )
    report = import_history(late_ledger, path, POLICY, TODAY, actor="tester")
    assert (report.contacts, report.customers, report.already_imported) == (3, 1, 0)

    reminders = suggested_stages(late_ledger)
    assert reminders["F-001"].stage == "final"  # friendly, firm and call were done before
    assert reminders["F-002"].stage == "friendly"  # no history: the ladder's first rung

    with unit_of_work(late_ledger) as session:
        contacts = session.exec(select(Contact).order_by(Contact.occurred_at)).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.kind == "contact_imported")).all()
        chain = audit.verify(session)
    assert [(c.stage, c.channel, c.actor, c.outcome) for c in contacts] == [
        ("friendly", "email", "Marie", "imported"),
        ("firm", "email", "Marie", "imported"),
        ("call", "phone", "Paul", "imported"),
    ]
    assert len(events) == 3 and all(json.loads(e.content)["imported"] for e in events)
    assert events[2].invoice_numbers == "F-001"
    assert chain.ok

    again = import_history(late_ledger, path, POLICY, TODAY, actor="tester")
    assert (again.contacts, again.already_imported) == (0, 3)


BAD_HISTORY = {
    "unknown customer": ("2026-01-05,Nobody,,friendly,,,\n", "line 3, column 'customer'"),
    "unknown stage": ("2026-01-05,C1,,polite,,,\n", "line 3, column 'stage'"),
    "email is several stages": (
        "2026-01-05,C1,,,email,,\n",
        "used by courtesy, friendly, firm, final",
    ),
    "future date": (f"{(TODAY + timedelta(days=3)).isoformat()},C1,,firm,,,\n", "in the future"),
    "bad date": ("05/01/2026,C1,,firm,,,\n", "line 3, column 'date'"),
    "foreign invoice": ("2026-01-05,C1,F-002,firm,,,\n", "belongs to another customer"),
    "control character": ("2026-01-05,C1,,firm,,,bell\x07\n", "line 3, column 'note'"),
}


@pytest.mark.parametrize("case", sorted(BAD_HISTORY))
def test_a_bad_history_line_imports_nothing_and_names_it(
    late_ledger: Engine, tmp_path: Path, case: str
) -> None:
    bad, where = BAD_HISTORY[case]
    path = history_file(tmp_path, f"{ago(100)},C1,F-001,friendly,,Marie,\n" + bad)
    with pytest.raises(ImportFailed) as failed:
        import_history(late_ledger, path, POLICY, TODAY)
    assert where in str(failed.value), str(failed.value)
    with unit_of_work(late_ledger) as session:
        assert session.exec(select(Contact)).all() == []


def test_a_first_contact_long_overdue_starts_higher_and_the_card_says_so(
    late_ledger: Engine,
) -> None:
    stages = tuple(
        replace(s, first_contact_from_days=120 if s.name == "firm" else None) for s in POLICY.stages
    )
    policy = replace(POLICY, stages=stages)
    reminders = suggested_stages(late_ledger, policy)
    late = reminders["F-001"]
    assert late.stage == "firm"
    assert reminders["F-002"].stage == "friendly" and not reminders["F-002"].stage_note
    drafter = Drafter(late_ledger, build_runtime(Settings(), late_ledger).composer, policy)
    card = json.dumps(reminder_card(load_view(drafter, late.id or 0), TODAY))
    assert "first contact 199 days late: the policy starts at the firm stage from 120 days" in card
