"""What happens around a payment and a promise: cancelled chasers, thank-you notes, promises
kept or broken — and the audit trail's command-line tools."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import unit_of_work
from bot.entry.cli import main
from bot.entry.composition import build_runtime, next_business_morning
from bot.importing.mapping import load_mapping
from bot.models import Invoice, Outbox, Promise, Reminder
from bot.services.accounts import promises
from bot.services.accounts.payments import follow_up_payments
from bot.services.audit.export import export_csv
from bot.services.ledger.importing import import_invoices
from bot.services.reminders import decisions, drafting
from bot.services.reminders.suggestions import suggest
from tests.support.csvfiles import line, write_csv
from tests.support.kept_text import said
from tests.support.roles import tampering
from tests.support.slack_fixtures import sample_ledger


@pytest.fixture
def suggested(engine: Engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    from datetime import date

    now = next_business_morning(date(2026, 11, 25), Settings())
    runtime = build_runtime(Settings(), engine, clock=lambda: now)
    sample_ledger(engine, tmp_path, now.date())
    run = suggest(engine, runtime.policy, runtime.composer, now, now.date())
    return runtime, run.created, now


def test_paid_in_full_cancels_the_chaser_and_suggests_thanks(
    engine: Engine, tmp_path: Path, suggested
) -> None:  # type: ignore[no-untyped-def]
    runtime, reminders, now = suggested
    a = next(r for r in reminders if r.invoice_numbers == "A-1")
    decisions.approve(runtime.drafter(), a.id, "U1", now=now)
    with unit_of_work(engine) as session:
        invoice = session.exec(select(Invoice).where(Invoice.number == "A-1")).one()
    paid = write_csv(
        tmp_path / "paid.csv",
        [
            line(
                customer_id="A",
                invoice_number="A-1",
                amount_paid="1234.56",
                due_date=invoice.due_date.isoformat(),
                issue_date=invoice.issue_date.isoformat(),
            )
        ],
    )
    report = import_invoices(engine, paid, load_mapping())
    assert report.paid_in_full == ("A-1",)
    follow = follow_up_payments(engine, runtime.composer, report.paid_in_full, now.date())
    assert follow.cancelled == [a.id] and len(follow.thanks) == 1
    with unit_of_work(engine) as session:
        cancelled = session.get(Reminder, a.id)
        outbox = session.exec(select(Outbox).where(Outbox.reminder_id == a.id)).one()
        thanks = session.get(Reminder, follow.thanks[0])
    assert cancelled.state == "cancelled" and outbox.state == "cancelled"
    assert thanks.stage == "thanks" and thanks.state == "suggested"
    assert not thanks.drafted and thanks.subject == ""  # written when first needed
    drafting.write_pending(runtime.drafter(), follow.thanks)
    with unit_of_work(engine) as session:
        thanks = session.get(Reminder, follow.thanks[0])
    assert thanks.drafted and thanks.wording == "fr/thanks"
    assert thanks.subject.startswith("Merci pour votre règlement")
    assert "A-1" in thanks.body_text and "<p>" in thanks.body_html
    again = follow_up_payments(engine, runtime.composer, report.paid_in_full, now.date())
    assert again.thanks == []  # once per customer and day


def test_a_thank_you_for_an_invoice_open_again_is_not_written(
    engine: Engine, tmp_path: Path, suggested
) -> None:  # type: ignore[no-untyped-def]
    """The payment was undone (a bank reversal) before anyone opened the note: it expires
    with why instead of thanking for money that did not stay."""
    runtime, _reminders, now = suggested
    with unit_of_work(engine) as session:
        invoice = session.exec(select(Invoice).where(Invoice.number == "A-1")).one()
        invoice.paid_minor = invoice.amount_minor
    (thanks,) = follow_up_payments(engine, runtime.composer, ("A-1",), now.date()).thanks
    with unit_of_work(engine) as session:
        session.exec(select(Invoice).where(Invoice.number == "A-1")).one().paid_minor = 0
    drafting.write_pending(runtime.drafter(), [thanks])
    with unit_of_work(engine) as session:
        note = session.get(Reminder, thanks)
    assert note.state == "expired" and not note.drafted
    assert said(note.skip_reason) == "no longer holds: A-1 is open again"


def test_promises_kept_and_broken(engine: Engine, suggested) -> None:  # type: ignore[no-untyped-def]
    runtime, _reminders, now = suggested
    today = now.date()
    with unit_of_work(engine) as session:
        invoices = {i.number: i for i in session.exec(select(Invoice))}
        session.add(
            Promise(
                invoice_id=invoices["A-1"].id, promised_date=today - timedelta(5), created_by="U1"
            )
        )
        session.add(
            Promise(
                invoice_id=invoices["B-1"].id, promised_date=today - timedelta(1), created_by="U1"
            )
        )
        invoices["C-1"].paid_minor = invoices["C-1"].amount_minor
        session.add(Promise(invoice_id=invoices["C-1"].id, promised_date=today, created_by="U1"))
    settled = promises.settle(engine, today, runtime.governing())
    assert (settled.kept, settled.broken) == (["C-1"], ["A-1"])  # B-1 is still within grace


def test_audit_cli_verifies_exports_and_names_a_broken_link(
    engine: Engine,
    suggested,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["audit", "verify"]) == 0
    assert "audit trail intact" in capsys.readouterr().out

    out = io.StringIO()
    count = export_csv(engine, out, customer="Atelier")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) >= 1 and {r["customer"] for r in rows} == {"Atelier Lefèvre"}
    assert main(["audit", "export", "--since", "2000-01-01", "-o", str(tmp_path / "a.csv")]) == 0
    assert (tmp_path / "a.csv").read_text().startswith("seq,occurred_at_utc,actor,kind")

    with tampering(engine) as conn:
        conn.execute(sa.text("UPDATE audit_event SET actor = 'mallory' WHERE seq = 2"))
    assert main(["audit", "verify"]) == 1
    assert "BROKEN at event #2" in capsys.readouterr().err


def test_a_thank_you_and_the_chase_of_the_rest_of_the_account_coexist(
    engine: Engine, tmp_path: Path
) -> None:
    """One invoice paid, one still late: the customer is thanked for the first and still gets
    today's reminder for the second — the thank-you never stands in for the chase."""
    from datetime import date

    now = next_business_morning(date(2026, 11, 25), Settings())
    runtime = build_runtime(Settings(), engine, clock=lambda: now)
    due, issued = (now.date() - timedelta(days=d) for d in (20, 50))
    both = [
        line(
            customer_id="T",
            invoice_number=n,
            due_date=due.isoformat(),
            issue_date=issued.isoformat(),
        )
        for n in ("T-1", "T-2")
    ]
    import_invoices(engine, write_csv(tmp_path / "before.csv", both), load_mapping())
    paid = [{**both[0], "amount_paid": both[0]["amount"]}, both[1]]
    report = import_invoices(engine, write_csv(tmp_path / "after.csv", paid), load_mapping())
    follow = follow_up_payments(engine, runtime.composer, report.paid_in_full, now.date())
    assert len(follow.thanks) == 1

    run = suggest(engine, runtime.policy, runtime.composer, now, now.date())
    assert [(r.stage, r.invoice_numbers) for r in run.created] == [("friendly", "T-2")]
    with unit_of_work(engine) as session:
        today = session.exec(select(Reminder).where(Reminder.run_date == now.date())).all()
        suggested_events = session.exec(
            sa.text("SELECT count(*) FROM audit_event WHERE kind = 'suggested'")
        ).one()[0]
    assert sorted(r.stage for r in today) == ["friendly", "thanks"]
    assert suggested_events == 2  # one each: the thank-you is not announced twice


def test_a_partial_promise_paid_before_its_date_is_kept(engine: Engine, suggested) -> None:  # type: ignore[no-untyped-def]
    runtime, _reminders, now = suggested
    today = now.date()
    with unit_of_work(engine) as session:
        invoice = session.exec(select(Invoice).where(Invoice.number == "A-1")).one()
        half = invoice.amount_minor // 2
    promises.record_promise(
        engine, "A-1", today + timedelta(days=10), Decimal(half) / 100, "U1", today
    )
    with unit_of_work(engine) as session:
        session.exec(select(Invoice).where(Invoice.number == "A-1")).one().paid_minor = half
    settled = promises.settle(engine, today + timedelta(days=30), runtime.governing())
    assert (settled.kept, settled.broken) == (["A-1"], [])


def test_a_broken_promise_renewed_is_no_longer_listed_as_broken(engine: Engine, suggested) -> None:  # type: ignore[no-untyped-def]
    from bot.services.overview.digest import build_digest

    runtime, _reminders, now = suggested
    today = now.date()
    promises.record_promise(engine, "A-1", today, None, "U1", today)
    promises.settle(engine, today + timedelta(days=10), runtime.governing())
    later = today + timedelta(days=10)
    assert [p.invoice for p in build_digest(engine, later, "CDIGEST").promises_broken] == ["A-1"]
    promises.record_promise(engine, "A-1", later + timedelta(days=5), None, "U1", later)
    assert build_digest(engine, later, "CDIGEST").promises_broken == []


def test_home_counts_only_messages_still_to_go(engine: Engine, suggested) -> None:  # type: ignore[no-untyped-def]
    from bot.services.overview.home import home

    runtime, reminders, now = suggested
    mail = [r for r in reminders if r.channel == "email"]
    for reminder in mail[:2]:
        decisions.approve(runtime.drafter(), reminder.id, "U1", now=now)
    assert home(engine, now.date(), "U1").yours_pending == 2
    with unit_of_work(engine) as session:
        session.exec(
            sa.update(Outbox).where(Outbox.reminder_id == mail[0].id).values(state="failed")
        )
    assert home(engine, now.date(), "U1").yours_pending == 1
