"""Editing a reminder: what staff save is sent exactly as written, through a real SMTP server;
saving may approve or only save; a final notice's letter follows the edit or is kept, and the
audit trail says which."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.channels.letter import Letter
from bot.config import Settings
from bot.db import unit_of_work
from bot.entry.composition import build_runtime, next_business_morning
from bot.models import AuditEvent, Outbox, Reminder
from bot.rendering.templates import Templates
from bot.services.delivery.outbox import deliver_due
from bot.services.reminders import decisions
from bot.services.reminders.editing import LetterChoice, check_edit
from bot.services.reminders.suggestions import suggest
from tests.support.drafts import written
from tests.support.slack_fixtures import sample_ledger
from tests.support.smtp_server import SmtpServer

HOSTILE_BODY = (
    "Dear {{ 7*7 }} Ltd,\n\n"
    "Your name {% raw %} and {{ sender.bank_details }} are written as you gave them.\n\n"
    "{% for x in range(10**9) %}x{% endfor %} {{ 'Pay now. ' * 10**6 }}"
)


@pytest.fixture
def suggested(engine: Engine, tmp_path: Path, smtp: SmtpServer):  # type: ignore[no-untyped-def]
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port)  # type: ignore[arg-type]
    now = next_business_morning(date(2026, 11, 25), settings)
    runtime = build_runtime(settings, engine, clock=lambda: now)
    sample_ledger(engine, tmp_path, now.date())
    run = suggest(engine, runtime.policy, runtime.composer, now, now.date())
    return settings, runtime, written(runtime, run.created), now


def edited_events(engine: Engine) -> list[dict]:
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.kind == "edited").order_by(AuditEvent.seq)
        ).all()
    return [json.loads(r.content) for r in rows]


def test_an_edit_is_sent_exactly_as_saved(engine: Engine, smtp: SmtpServer, suggested) -> None:  # type: ignore[no-untyped-def]
    settings, runtime, reminders, now = suggested
    first = reminders[0]
    edited = check_edit(runtime.templates, first.language, "Re: {{ 7*7 }} {% raw %}", HOSTILE_BODY)
    assert decisions.save_edit(engine, first.id, "UAPPROVE1", edited, approve=True, now=now).won

    report = deliver_due(engine, settings, "worker-1", now=now + timedelta(hours=9))
    assert report.sent == [first.id]
    message = smtp.received[0].message
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP's CRLF
    html = message.get_body(("html",)).get_content()
    assert message["Subject"] == "Re: {{ 7*7 }} {% raw %}"
    assert text == HOSTILE_BODY + "\n"
    assert "49" not in text and "Pay now. Pay now." not in text
    assert "Dear {{ 7*7 }} Ltd," in html and "{% raw %}" in html
    with unit_of_work(engine) as session:
        saved = session.get(Reminder, first.id)
    assert saved.body_text == HOSTILE_BODY + "\n"
    assert saved.original_body_text == first.body_text
    assert edited_events(engine)[0]["approved"] is True


def test_saving_without_approving_keeps_the_reminder_awaiting_a_decision(
    engine: Engine, suggested
) -> None:  # type: ignore[no-untyped-def]
    _settings, runtime, reminders, now = suggested
    first = reminders[0]
    one = check_edit(runtime.templates, "en", "First try", "Hello,\n\nplease pay.")
    two = check_edit(runtime.templates, "en", "Second try", "Hello again,\n\nplease pay.")
    assert decisions.save_edit(engine, first.id, "UAPPROVE1", one, approve=False, now=now).won
    assert decisions.save_edit(engine, first.id, "UAPPROVE1", two, approve=False, now=now).won
    with unit_of_work(engine) as session:
        saved = session.get(Reminder, first.id)
        assert session.exec(select(Outbox)).all() == []
    assert saved.state == "suggested" and saved.subject == "Second try"
    assert saved.original_subject == first.subject  # the suggestion, not the first edit
    assert [e["approved"] for e in edited_events(engine)] == [False, False]
    assert decisions.approve(runtime.drafter(), first.id, "UAPPROVE2", now=now).won


@pytest.mark.parametrize(
    ("choice", "recorded"),
    [
        (LetterChoice.REWRITE, "re-rendered from the edited text"),
        (LetterChoice.KEEP, "kept as it was"),
    ],
)
def test_a_final_notices_letter_follows_the_edit_or_is_kept(
    engine: Engine, suggested, choice: LetterChoice, recorded: str
) -> None:  # type: ignore[no-untyped-def]
    _settings, runtime, reminders, now = suggested
    first = reminders[0]
    letter = Letter(
        ["Relance Demo SAS"], ["Client SA"], "26 novembre 2026", "Mise en demeure", "Old"
    )
    with unit_of_work(engine) as session:
        row = session.get(Reminder, first.id)
        row.letter_text = letter.to_json()
        session.add(row)
    edited = check_edit(
        runtime.templates, "fr", "Mise en demeure", "Madame,\n\nnouveau texte {{ x }}."
    )
    decisions.save_edit(engine, first.id, "UAPPROVE1", edited, approve=True, letter=choice, now=now)
    with unit_of_work(engine) as session:
        stored = Letter.from_json(session.get(Reminder, first.id).letter_text)
    expected = "Madame,\n\nnouveau texte {{ x }}." if choice is LetterChoice.REWRITE else "Old"
    assert stored.body == expected and stored.recipient == ["Client SA"]
    assert edited_events(engine)[0]["letter"] == recorded


def test_edits_beyond_the_bounds_are_refused_with_their_field() -> None:
    from bot.config import PROJECT_ROOT
    from bot.services.reminders.editing import EditInvalid

    templates = Templates(PROJECT_ROOT / "templates")
    with pytest.raises(EditInvalid) as refused:
        check_edit(templates, "en", "Pay", "Pay now. " * 10**6)  # 9 MB
    assert refused.value.field == "body" and "most is 20,000" in refused.value.message
    with pytest.raises(EditInvalid) as refused:
        check_edit(templates, "en", "x" * 251, "Hello")
    assert refused.value.field == "subject"
    with pytest.raises(EditInvalid) as refused:
        check_edit(templates, "en", "Hi", "Hello\n\nbell \x07 here")
    assert refused.value.field == "body" and "Line 3" in refused.value.message
