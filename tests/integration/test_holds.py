"""Skip reasons have consequences: "customer says paid" holds the customer for the policy's days
pending the next import; "wrong contact" holds them until an import changes the address; the
digest lists who is held and until when."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.db import read_only
from bot.domain.escalation import NoAction, Reason, Suggestion
from bot.entry.composition import build_runtime, next_business_morning
from bot.importing.mapping import load_mapping
from bot.services.ledger.importing import import_invoices
from bot.services.overview.digest import build_digest
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import suggest, todays_decisions
from bot.slack.blocks.digest import digest_blocks
from tests.support.csvfiles import line, write_csv
from tests.support.drafts import written

MONDAY = date(2026, 11, 30)


def _setup(engine: Engine, tmp_path: Path, email: str = "jean@atelier.example"):  # type: ignore[no-untyped-def]
    settings = Settings()
    now = next_business_morning(MONDAY, settings)
    runtime = build_runtime(settings, engine, clock=lambda: now)
    rows = [line(customer_id="A", invoice_number="A-1", email=email, due_date="2026-11-10")]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows), load_mapping())
    return runtime, now


def _decision(engine: Engine, runtime, now):  # type: ignore[no-untyped-def]
    with read_only(engine) as session:
        return todays_decisions(session, runtime.policy, now)[0].decision


def test_customer_says_paid_holds_them_for_the_policys_days(engine: Engine, tmp_path: Path) -> None:
    runtime, now = _setup(engine, tmp_path)
    reminder = written(
        runtime, suggest(engine, runtime.policy, runtime.composer, now, now.date()).created
    )[0]
    days = runtime.policy.said_paid_hold_days
    assert decisions.skip(
        engine,
        reminder.id,
        "U1",
        "Customer says it is paid",
        runtime.governing(),
        now=now,
        reason_key="paid",
    ).won

    until = MONDAY + timedelta(days=days)
    for later in (1, days):
        decision = _decision(engine, runtime, now + timedelta(days=later))
        assert isinstance(decision, NoAction) and decision.reason is Reason.HELD
        assert until.isoformat() in str(decision.detail)
    digest = build_digest(engine, MONDAY + timedelta(days=1), "CDIGEST")
    assert [h.name for h in digest.held] == ["Atelier Lefèvre"]
    shown = str(digest_blocks(digest))
    assert "Held after a skip" in shown and f"held until {until.isoformat()}" in shown

    assert isinstance(_decision(engine, runtime, now + timedelta(days=days + 1)), Suggestion)
    assert build_digest(engine, until + timedelta(days=1), "CDIGEST").held == []


def test_wrong_contact_holds_until_an_import_changes_it(engine: Engine, tmp_path: Path) -> None:
    runtime, now = _setup(engine, tmp_path)
    reminder = written(
        runtime, suggest(engine, runtime.policy, runtime.composer, now, now.date()).created
    )[0]
    decisions.skip(
        engine,
        reminder.id,
        "U1",
        "Wrong contact",
        runtime.governing(),
        now=now,
        reason_key="wrong_contact",
    )

    a_month_later = now + timedelta(days=30)
    decision = _decision(engine, runtime, a_month_later)
    assert isinstance(decision, NoAction) and decision.reason is Reason.HELD
    assert "until an import changes the e-mail address" in str(decision.detail)
    assert len(build_digest(engine, MONDAY + timedelta(days=30), "CDIGEST").held) == 1

    _setup(engine, tmp_path, email="accounts@atelier.example")  # the ledger corrected
    assert isinstance(_decision(engine, runtime, a_month_later), Suggestion)
    assert build_digest(engine, MONDAY + timedelta(days=30), "CDIGEST").held == []


def test_other_reasons_hold_nothing(engine: Engine, tmp_path: Path) -> None:
    runtime, now = _setup(engine, tmp_path)
    reminder = written(
        runtime, suggest(engine, runtime.policy, runtime.composer, now, now.date()).created
    )[0]
    decisions.skip(
        engine,
        reminder.id,
        "U1",
        "Already in touch",
        runtime.governing(),
        now=now,
        reason_key="contacted",
    )
    assert isinstance(_decision(engine, runtime, now + timedelta(days=7)), Suggestion)
