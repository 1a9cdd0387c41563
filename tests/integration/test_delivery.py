"""Sending approved e-mails through a real SMTP server: the message as received, exactly once,
retried through an outage, failures kept visible, and every step in the audit trail."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.channels.email import Email, build_message
from bot.config import Settings
from bot.db import unit_of_work
from bot.domain.mail_trust import reply_token, token_key
from bot.entry.composition import build_runtime, next_business_morning
from bot.models import AuditEvent, Contact, Outbox, Reminder
from bot.services import audit
from bot.services.delivery.outbox import LEASE, claim, deliver_due
from bot.services.overview import digest
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import suggest
from tests.support.drafts import written
from tests.support.slack_fixtures import sample_ledger
from tests.support.smtp_server import SmtpServer


def mail_settings(server: SmtpServer, **kw: object) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        mail_from="Relance Demo <ar@relance-demo.example>",
        reply_to="compta@relance-demo.example",
        bcc_archive="archive@relance-demo.example",
        mail_token_secret="test-mail-secret",
        send_backoff_seconds=60,
        send_max_attempts=3,
        **kw,
    )  # type: ignore[arg-type]


@pytest.fixture
def approved(engine: Engine, tmp_path: Path, smtp: SmtpServer):  # type: ignore[no-untyped-def]
    """Three approved reminders for the sample ledger; returns (settings, reminders, now)."""
    settings = mail_settings(smtp)
    now = next_business_morning(__import__("datetime").date(2026, 11, 25), settings)
    runtime = build_runtime(settings, engine, clock=lambda: now)
    sample_ledger(engine, tmp_path, now.date())
    run = suggest(engine, runtime.policy, runtime.composer, now, now.date())
    for reminder in run.created:
        assert decisions.approve(runtime.drafter(), reminder.id, "UAPPROVE1", now=now).won
    reminders = written(runtime, run.created)
    return settings, reminders, now


def events(engine: Engine, kind: str) -> list[dict]:
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq)
        ).all()
    return [json.loads(r.content) for r in rows]


def test_the_message_as_the_customer_receives_it(
    engine: Engine, smtp: SmtpServer, approved
) -> None:  # type: ignore[no-untyped-def]
    settings, reminders, now = approved
    later = now + timedelta(hours=1)
    report = deliver_due(engine, settings, "worker-1", now=later)
    assert sorted(report.sent) == sorted(r.id for r in reminders)
    french = next(r for r in reminders if r.language == "fr")
    got = next(m for m in smtp.received if m.message["Subject"] == french.subject)
    message = got.message
    assert message["From"] == "Relance Demo <ar@relance-demo.example>"
    assert message["To"] == "jean@atelier.example"
    assert message["Reply-To"] == "compta@relance-demo.example"
    assert message["Bcc"] is None  # the archive copy travels in the envelope only
    assert set(got.recipients) == {"jean@atelier.example", "archive@relance-demo.example"}
    token = reply_token(french.id, token_key(settings.mail_token_secret))
    assert message["Message-ID"] == f"<relance-reminder-{token}@relance-demo.example>"
    assert message["Content-Language"] == "fr"
    assert message["Auto-Submitted"] is None  # a person approved it: auto-answers are wanted
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.startswith("Bonjour Jean Lefèvre,") and "1\u202f234,56\xa0€" in text
    assert "<table" in html and "A-1" in html
    with unit_of_work(engine) as session:
        sent = session.get(Reminder, french.id)
        contact = session.exec(select(Contact).where(Contact.reminder_id == french.id)).one()
        assert audit.verify(session).ok
    assert sent.state == "sent" and contact.stage == french.stage
    logged = next(e for e in events(engine, "sent") if e["reminder"] == french.id)
    assert logged["text"] == french.body_text and logged["to"] == "jean@atelier.example"


def test_two_senders_at_once_send_each_message_once(
    engine: Engine, smtp: SmtpServer, approved
) -> None:  # type: ignore[no-untyped-def]
    settings, reminders, now = approved
    barrier = threading.Barrier(2)
    reports = []

    def run(worker: str) -> None:
        barrier.wait()
        reports.append(deliver_due(engine, settings, worker, now=now + timedelta(hours=1)))

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(smtp.received) == len(reminders)
    assert sorted(i for r in reports for i in r.sent) == sorted(r.id for r in reminders)
    assert len(events(engine, "sent")) == len(reminders)


def test_server_down_then_up_delivers_once(engine: Engine, smtp: SmtpServer, approved) -> None:  # type: ignore[no-untyped-def]
    """An unreachable server pauses the whole outbox; no message is charged an attempt."""
    settings, reminders, now = approved
    smtp.stop()
    t1 = now + timedelta(hours=1)
    down = deliver_due(engine, settings, "w", now=t1)
    assert down.sent == down.retrying == down.failed == []
    assert down.pause is not None and "unreachable" in down.pause.error
    with unit_of_work(engine) as session:
        rows = session.exec(select(Outbox)).all()
    assert {(o.state, o.attempts) for o in rows} == {("pending", 0)}

    smtp.start()
    assert deliver_due(engine, settings, "w", now=t1 + timedelta(seconds=30)).sent == []
    up = deliver_due(engine, settings, "w", now=t1 + timedelta(seconds=61))
    assert len(up.sent) == len(reminders)
    assert deliver_due(engine, settings, "w", now=t1 + timedelta(hours=5)).sent == []
    assert len(smtp.received) == len(reminders)
    assert events(engine, "send_failed") == []
    assert {e["attempt"] for e in events(engine, "sent")} == {1}


def test_deferred_until_the_last_attempt_then_failed_and_visible(
    engine: Engine,
    smtp: SmtpServer,
    approved,  # type: ignore[no-untyped-def]
) -> None:
    settings, reminders, now = approved
    smtp.mode = "defer"
    when = now + timedelta(hours=1)
    for _attempt in range(3):
        deliver_due(engine, settings, "w", now=when)
        when += timedelta(hours=1)
    with unit_of_work(engine) as session:
        rows = session.exec(select(Outbox)).all()
    assert {(o.state, o.attempts) for o in rows} == {("failed", 3)}
    assert all("451" in o.last_error for o in rows)
    assert [f.get("final") for f in events(engine, "send_failed")][-1] is True
    assert len(digest.build_digest(engine, now.date(), "C").failed) == len(reminders)
    assert smtp.received == []


def test_a_refused_recipient_fails_at_once(engine: Engine, smtp: SmtpServer, approved) -> None:  # type: ignore[no-untyped-def]
    settings, reminders, now = approved
    smtp.mode = "refuse"
    report = deliver_due(engine, settings, "w", now=now + timedelta(hours=1))
    assert len(report.failed) == len(reminders) and report.retrying == []
    with unit_of_work(engine) as session:
        assert {o.attempts for o in session.exec(select(Outbox))} == {1}


def test_a_sender_killed_mid_send_loses_nothing(engine: Engine, smtp: SmtpServer, approved) -> None:  # type: ignore[no-untyped-def]
    settings, reminders, now = approved
    t = now + timedelta(hours=1)
    claimed = claim(engine, "dead-worker", t)  # it claims, then dies before sending
    assert len(claimed) == len(reminders)
    assert deliver_due(engine, settings, "w2", now=t + timedelta(minutes=1)).sent == []
    after_lease = deliver_due(engine, settings, "w2", now=t + LEASE + timedelta(seconds=1))
    assert len(after_lease.sent) == len(reminders)
    assert len(smtp.received) == len(reminders)


def test_test_mode_sends_nothing_to_customers(engine: Engine, smtp: SmtpServer, approved) -> None:  # type: ignore[no-untyped-def]
    settings, reminders, now = approved
    settings = mail_settings(smtp, test_mode_address="ar-team@relance-demo.example")
    report = deliver_due(engine, settings, "w", now=now + timedelta(hours=1))
    assert len(report.sent) == len(reminders)
    customers = {"jean@atelier.example"}
    for got in smtp.received:
        assert not customers & set(got.recipients)
        assert "ar-team@relance-demo.example" in got.recipients
        assert got.message["To"] == "ar-team@relance-demo.example"
        assert got.message["Subject"].startswith("[TEST → ")
        assert got.message.get_body(("plain",)).get_content().startswith("TEST MODE:")
    assert all(e["test_mode"] for e in events(engine, "sent"))
    with unit_of_work(engine) as session:
        assert session.exec(select(Contact)).all() == []  # the ladder does not move on


def test_only_what_no_person_approved_asks_auto_responders_for_silence() -> None:
    unapproved = Email(
        to="a@b.example", subject="s", text="t", html="", message_id="<m@x>", language="en"
    )
    assert build_message(unapproved, Settings())["Auto-Submitted"] == "auto-generated"
    approved = replace(unapproved, approved_by="UAPPROVE1")
    assert build_message(approved, Settings())["Auto-Submitted"] is None
