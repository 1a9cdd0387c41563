"""The outbox under faults: a poison message fails alone, headers stay single-line, a slow
server never makes two senders send the same message, and a server that refuses everyone
pauses the outbox instead of failing every message."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.channels.email import message_id
from bot.config import Settings
from bot.db import unit_of_work
from bot.entry.composition import build_runtime, next_business_morning
from bot.models import AuditEvent, Customer, Outbox, OutboxPause, Reminder
from bot.services import audit
from bot.services.delivery import outbox as outbox_module
from bot.services.delivery.outbox import deliver_due
from bot.services.inbox import mailbox as inbox
from bot.services.overview import digest
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import suggest
from bot.slack.outbox_alerts import alert_text
from tests.support.dkim_signer import signed, trusting
from tests.support.drafts import written
from tests.support.mail_samples import reply
from tests.support.slack_fixtures import sample_ledger
from tests.support.smtp_server import SmtpServer


def mail_settings(server: SmtpServer, **kw: object) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        mail_from="Relance Demo <ar@relance-demo.example>",
        send_backoff_seconds=60,
        send_max_attempts=3,
        **kw,
    )  # type: ignore[arg-type]


def approve_all(engine: Engine, tmp_path: Path, settings: Settings):  # type: ignore[no-untyped-def]
    now = next_business_morning(date(2026, 11, 25), settings)
    runtime = build_runtime(settings, engine, clock=lambda: now)
    sample_ledger(engine, tmp_path, now.date())
    run = suggest(engine, runtime.policy, runtime.composer, now, now.date())
    for reminder in run.created:
        assert decisions.approve(runtime.drafter(), reminder.id, "UAPPROVE1", now=now).won
    reminders = written(runtime, run.created)
    return reminders, now + timedelta(hours=1)


def kinds(engine: Engine, kind: str) -> list[dict]:
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq)
        ).all()
    return [json.loads(r.content) for r in rows]


def outbox_rows(engine: Engine) -> dict[int, Outbox]:
    with unit_of_work(engine) as session:
        return {o.reminder_id: o for o in session.exec(select(Outbox)).all()}


def test_a_message_that_cannot_be_built_fails_alone_with_its_cause(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(smtp)
    reminders, when = approve_all(engine, tmp_path, settings)
    poison = reminders[0]
    with unit_of_work(engine) as session:
        session.get(Reminder, poison.id).letter_text = "{not a letter"
    report = deliver_due(engine, settings, "w", now=when)
    assert report.failed == [poison.id]
    assert sorted(report.sent) == sorted(r.id for r in reminders[1:])
    assert len(smtp.received) == len(reminders) - 1
    row = outbox_rows(engine)[poison.id]
    assert row.state == "failed" and "cannot be sent" in row.last_error
    failure = kinds(engine, "send_failed")
    assert [f["reminder"] for f in failure] == [poison.id] and "cannot be sent" in failure[0][
        "error"
    ]
    shown = digest.build_digest(engine, when.date(), "C").failed
    assert [(f.reminder_id, "cannot be sent" in f.error) for f in shown] == [(poison.id, True)]


def test_a_line_break_in_a_name_never_reaches_a_header(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(smtp)
    reminders, when = approve_all(engine, tmp_path, settings)
    target = reminders[0]
    with unit_of_work(engine) as session:
        reminder = session.get(Reminder, target.id)
        reminder.subject = "Invoice for Evil\r\nBcc: thief@evil.example\nX-Injected: yes"
    report = deliver_due(engine, settings, "w", now=when)
    assert sorted(report.sent) == sorted(r.id for r in reminders)
    got = next(m for m in smtp.received if "Evil" in m.message["Subject"])
    assert got.message["Subject"] == "Invoice for Evil Bcc: thief@evil.example X-Injected: yes"
    assert got.message["X-Injected"] is None
    assert "thief@evil.example" not in got.recipients


def test_a_slow_server_and_two_senders_send_each_message_once(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    """The first sender's batch outlives its lease; the second starts after the lease would
    have lapsed. Each message is renewed just before it leaves, so none goes twice."""
    settings = mail_settings(smtp)
    reminders, when = approve_all(engine, tmp_path, settings)
    smtp.delay = 0.4
    lease = timedelta(seconds=0.6)
    started = time.monotonic()
    reports = []

    def first() -> None:
        reports.append(deliver_due(engine, settings, "w1", now=when, lease=lease))

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.7)
    late = when + timedelta(seconds=time.monotonic() - started)
    reports.append(deliver_due(engine, settings, "w2", now=late, lease=lease))
    thread.join()
    assert len(reminders) >= 3
    ids = [m.message["Message-ID"] for m in smtp.received]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == len(reminders)
    assert len(kinds(engine, "sent")) == len(reminders)
    sent_at = sorted(o.sent_at for o in outbox_rows(engine).values())
    assert sent_at[0] > when and len(set(sent_at)) == len(sent_at)  # each when it left


@pytest.mark.parametrize("refusal", ["refuse-login", "refuse-greeting"])
def test_a_server_that_refuses_everyone_pauses_the_outbox_and_charges_no_message(
    engine: Engine, smtp: SmtpServer, tmp_path: Path, refusal: str
) -> None:
    settings = mail_settings(smtp, smtp_user="relance", smtp_password="wrong")
    reminders, when = approve_all(engine, tmp_path, settings)
    smtp.mode = refusal
    refused = deliver_due(engine, settings, "w", now=when)
    assert refused.sent == refused.failed == refused.retrying == []
    assert refused.pause is not None and refused.pause.first
    code = "535" if refusal == "refuse-login" else "554"
    assert code in refused.pause.error
    assert {(o.state, o.attempts, o.claimed_by) for o in outbox_rows(engine).values()} == {
        ("pending", 0, "")
    }
    text = alert_text(refused)
    assert text is not None and "paused" in text and code in text

    again = deliver_due(engine, settings, "w", now=when + timedelta(seconds=61))
    assert again.pause is not None and not again.pause.first and again.pause.failures == 2
    assert alert_text(again) is None  # one alert per pause, not one per attempt
    with unit_of_work(engine) as session:
        pause = session.get(OutboxPause, "email")
    assert pause.paused_until >= when + timedelta(seconds=61 + 120)  # the wait doubled
    waiting = deliver_due(engine, settings, "w", now=when + timedelta(seconds=90))
    assert waiting.paused_until is not None and waiting.pause is None

    smtp.mode = "accept"
    fixed = deliver_due(engine, settings, "w", now=when + timedelta(hours=1))
    assert sorted(fixed.sent) == sorted(r.id for r in reminders) and fixed.resumed
    assert "resumed" in (alert_text(fixed) or "")
    assert {(o.state, o.attempts) for o in outbox_rows(engine).values()} == {("sent", 1)}
    assert kinds(engine, "send_failed") == []
    assert len(kinds(engine, "outbox_paused")) == 1 and len(kinds(engine, "outbox_resumed")) == 1
    with unit_of_work(engine) as session:
        assert audit.verify(session).ok


def test_a_refused_recipient_still_fails_only_that_message(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(smtp)
    reminders, when = approve_all(engine, tmp_path, settings)
    smtp.mode = "refuse"
    report = deliver_due(engine, settings, "w", now=when)
    assert sorted(report.failed) == sorted(r.id for r in reminders) and report.pause is None


def test_in_test_mode_a_line_break_in_an_address_reaches_no_header(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    """Test mode puts the customer's address and name into the subject and body."""
    settings = mail_settings(smtp, test_mode_address="qa@relance-demo.example")
    reminders, when = approve_all(engine, tmp_path, settings)
    with unit_of_work(engine) as session:
        customer = session.get(Customer, session.get(Reminder, reminders[0].id).customer_id)
        customer.email = "jean@atelier.example\nBcc: thief@evil.example"
    report = deliver_due(engine, settings, "w", now=when)
    assert sorted(report.sent) == sorted(r.id for r in reminders)
    assert all("thief@evil.example" not in m.recipients for m in smtp.received)


def test_a_database_failure_while_building_a_message_charges_it_nothing(
    engine: Engine, smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault campaign's case: the database connection is cut while a message is read to
    be built. That is the database's failure, not the message's: no attempt is charged, the
    row is claimed again once its lease lapses, and it goes once."""
    settings = mail_settings(smtp)
    reminders, when = approve_all(engine, tmp_path, settings)
    cut = reminders[0]
    build = outbox_module._email

    def connection_cut(session, outbox, settings):  # type: ignore[no-untyped-def]
        if outbox.reminder_id == cut.id:
            raise sa.exc.OperationalError("SELECT customer", {}, Exception("connection lost"))
        return build(session, outbox, settings)

    monkeypatch.setattr(outbox_module, "_email", connection_cut)
    report = deliver_due(engine, settings, "w", now=when)
    assert report.failed == [] and cut.id not in report.sent
    row = outbox_rows(engine)[cut.id]
    assert (row.state, row.attempts, row.last_error) == ("pending", 0, "")
    assert kinds(engine, "send_failed") == []

    monkeypatch.setattr(outbox_module, "_email", build)
    later = when + timedelta(seconds=settings.send_lease_seconds + 1)
    assert deliver_due(engine, settings, "w2", now=later).sent == [cut.id]
    assert len(smtp.received) == len(reminders)  # each message once
    assert outbox_rows(engine)[cut.id].state == "sent"


def test_a_full_mailbox_is_retried_then_failed_after_the_retry_budget(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    """552 5.2.2 at RCPT (RFC 3463: mailbox full, a persistent transient condition): retried
    with backoff, then failed once `send_max_attempts` (3) are spent — never failed at once."""
    settings = mail_settings(smtp)
    reminders, when = approve_all(engine, tmp_path, settings)
    smtp.mode = "mailbox-full"
    first = deliver_due(engine, settings, "w", now=when)
    assert sorted(first.retrying) == sorted(r.id for r in reminders) and first.failed == []
    # each pass's clock runs on from its `now` as it sends: a margin of 30 s past each backoff
    # (60 s, then 120 s) keeps a slow pass on a busy machine from leaving a message not yet due
    second = deliver_due(engine, settings, "w", now=when + timedelta(seconds=60 + 30))
    assert sorted(second.retrying) == sorted(r.id for r in reminders)
    third = deliver_due(engine, settings, "w", now=when + timedelta(seconds=90 + 120 + 30))
    assert sorted(third.failed) == sorted(r.id for r in reminders) and third.retrying == []
    rows = outbox_rows(engine).values()
    assert {(o.state, o.attempts) for o in rows} == {("failed", 3)}
    assert all("552" in o.last_error and "5.2.2" in o.last_error for o in rows)
    assert smtp.received == []


def test_clear_text_smtp_to_another_host_is_refused_before_connecting(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    """SMTP_SECURITY=none is for loopback: to another host (192.0.2.1, TEST-NET-1, where nothing
    answers) the outbox pauses with the reason, no message is charged, the password stays."""
    settings = mail_settings(smtp, smtp_user="relance", smtp_password="secret")
    reminders, when = approve_all(engine, tmp_path, settings)
    elsewhere = replace(settings, smtp_host="192.0.2.1")
    refused = deliver_due(engine, elsewhere, "w", now=when)
    assert refused.pause is not None and "clear text" in refused.pause.error
    assert {(o.state, o.attempts) for o in outbox_rows(engine).values()} == {("pending", 0)}
    assert len(reminders) > 0


@pytest.mark.parametrize("authenticated", [False, True], ids=["forged", "dkim-signed"])
def test_a_reply_cancels_an_approved_e_mail_only_when_authenticated(
    engine: Engine, smtp: SmtpServer, tmp_path: Path, authenticated: bool
) -> None:
    """Issue 25, finding 2: a stranger's reply quoting the reminder's Message-ID cancelled the
    customer's approved e-mail. Unauthenticated, it now changes nothing (the e-mail goes);
    signed by the customer's domain, it holds them and the e-mail is cancelled, as before."""
    settings = mail_settings(smtp, mail_token_secret="test-mail-secret")
    reminders, when = approve_all(engine, tmp_path, settings)
    first = reminders[0]
    mail = reply(text="Stop.", in_reply_to=message_id(first.id, settings))
    raw = signed(mail) if authenticated else mail.as_bytes()
    assert inbox.record(engine, "INBOX", 1, 1, raw, when, trusting(settings)) is not None
    report = deliver_due(engine, settings, "w", now=when)
    if authenticated:
        assert first.id in report.cancelled and first.id not in report.sent
    else:
        assert first.id in report.sent and report.cancelled == []
