"""A morning stores its suggestions unwritten; each reminder's texts are written the first time
someone needs them — its card, an edit, an approval by a person or by the policy — with the
words the morning would have written, or not at all when the suggestion no longer holds."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import PROJECT_ROOT, Settings
from bot.db import read_only, unit_of_work
from bot.domain.escalation import Suggestion
from bot.entry.composition import build_runtime, next_business_morning
from bot.models import AuditEvent, Outbox, Reminder
from bot.services.accounts import pauses
from bot.services.common.context import Runtime
from bot.services.common.lookup import find_customer
from bot.services.overview.reminder_view import load_view, load_views
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import SuggestionRun, suggest, todays_decisions
from tests.support.kept_text import said
from tests.support.slack_fixtures import sample_ledger

MORNING = next_business_morning(date(2026, 11, 25), Settings())


def morning(engine: Engine, tmp_path: Path, **settings: object) -> tuple[Runtime, SuggestionRun]:
    runtime = build_runtime(Settings(**settings), engine, clock=lambda: MORNING)  # type: ignore[arg-type]
    sample_ledger(engine, tmp_path, MORNING.date())
    return runtime, suggest(engine, runtime.policy, runtime.composer, MORNING, MORNING.date())


def stored(engine: Engine) -> dict[str, Reminder]:
    with read_only(engine) as session:
        return {r.invoice_numbers: r for r in session.exec(select(Reminder)).all()}


def events(engine: Engine, kind: str) -> list[dict]:
    with read_only(engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.kind == kind)).all()
    return [json.loads(r.content) for r in rows]


def test_the_morning_decides_and_the_card_writes_the_words(engine: Engine, tmp_path: Path) -> None:
    runtime, run = morning(engine, tmp_path)
    assert {r.invoice_numbers for r in run.created} == {"A-1", "B-1", "C-1"}
    before = stored(engine)
    assert all(not r.drafted and r.subject == "" for r in before.values())
    assert before["A-1"].wording.startswith("fr/friendly")  # planned: the wording is chosen

    view = load_view(runtime.drafter(), before["A-1"].id or 0)
    assert "A-1" in view.body_text and view.subject
    after = stored(engine)["A-1"]
    assert after.drafted and after.body_html and after.wording == before["A-1"].wording
    # the words the morning would have written: the composer at the morning's instant
    with read_only(engine) as session:
        (decided,) = [
            d
            for d in todays_decisions(session, runtime.policy, MORNING)
            if d.customer.id == after.customer_id
        ]
    assert isinstance(decided.decision, Suggestion)
    expected = runtime.composer.draft(decided.customer, decided.decision, MORNING.date())
    assert (after.subject, after.body_text) == (expected.subject, expected.text)
    # written once: a second look changes nothing, the others are still unwritten
    again = load_view(runtime.drafter(), after.id or 0)
    assert again.body_text == view.body_text
    assert not stored(engine)["B-1"].drafted


def test_approving_an_unread_reminder_writes_it_before_it_is_queued(
    engine: Engine, tmp_path: Path
) -> None:
    runtime, run = morning(engine, tmp_path)
    ids = [r.id for r in run.created]
    approved = decisions.approve_selected(runtime.drafter(), ids, "UAPPROVE1", now=MORNING)
    assert sorted(r.id for r in approved) == sorted(ids)
    with read_only(engine) as session:
        queued = {o.reminder_id for o in session.exec(select(Outbox)).all()}
    assert queued == set(ids)
    assert all(r.drafted and r.subject and r.body_text for r in stored(engine).values())
    assert {e["subject"] for e in events(engine, "approved")} == {
        r.subject for r in stored(engine).values()
    }


def test_a_suggestion_overtaken_by_a_pause_expires_instead_of_being_written(
    engine: Engine, tmp_path: Path
) -> None:
    runtime, run = morning(engine, tmp_path)
    with unit_of_work(engine) as session:  # the mailbox's hold (a reply): nothing expires at once
        pauses.hold(session, find_customer(session, "B"), "relance", None, "the customer replied")
    b = stored(engine)["B-1"]
    assert b.state == "suggested"

    lost = decisions.approve(runtime.drafter(), b.id or 0, "UAPPROVE1", now=MORNING)
    assert not lost.won and lost.reminder.state == "expired"
    row = stored(engine)["B-1"]
    assert row.subject == "" and said(row.skip_reason) == "no longer holds: reminders are paused"
    assert [e["reason"] for e in events(engine, "expired")] == [said(row.skip_reason)]
    with read_only(engine) as session:
        assert session.exec(select(Outbox)).all() == []
    # the card says why, and the other reminders are written as usual
    views = load_views(runtime.drafter(), [r.id for r in run.created])
    assert [bool(v.subject) for v in views if v.id != b.id] == [True, True]


def test_a_template_gone_after_the_morning_fails_that_reminder_alone(
    engine: Engine, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", templates)
    runtime, run = morning(engine, tmp_path, templates_dir=templates)
    gb = stored(engine)["B-1"]  # the English customer
    for part in (templates / "email" / "en").glob("friendly*.html.j2"):
        part.unlink()

    views = load_views(runtime.drafter(), [r.id for r in run.created])
    by_id = {v.id: v for v in views}
    assert by_id[gb.id].state == "expired" and by_id[gb.id].subject == ""
    assert "could not be written" in said(stored(engine)["B-1"].skip_reason)
    assert "friendly" in said(stored(engine)["B-1"].skip_reason)
    assert all(v.subject for v in views if v.id != gb.id)


def test_the_policy_approves_what_it_first_writes(engine: Engine, tmp_path: Path) -> None:
    runtime, run = morning(engine, tmp_path)
    first = run.created[0]
    with unit_of_work(engine) as session:
        row = session.get(Reminder, first.id)
        assert row is not None
        row.auto_at, row.auto_rule = MORNING + timedelta(hours=1), "test rule"
    assert decisions.approve_by_policy(runtime.drafter(), MORNING) == []
    later = MORNING + timedelta(hours=2)
    assert decisions.approve_by_policy(runtime.drafter(), later) == [first.id]
    approved = stored(engine)[first.invoice_numbers]
    assert approved.state == "approved" and approved.drafted and approved.body_text
