"""Scheduled import: each new file in a folder imported once, filed in done/ or failed/ with its
error report, and the outcome told to the digest channel."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import unit_of_work
from bot.entry.cli import main
from bot.importing.mapping import load_mapping
from bot.models import Invoice
from bot.services.ledger.folder_import import import_folder
from bot.slack.import_notice import notice_text
from tests.support.csvfiles import line, write_csv
from tests.support.fake_slack import FakeSlack


def drop_files(folder: Path) -> None:
    write_csv(folder / "monday.csv", [line(), line(invoice_number="F-002")])
    write_csv(folder / "tuesday.csv", [line(invoice_number="F-003", amount="lots")])
    (folder / ".hidden.csv").write_text("not for us", encoding="utf-8")


def test_each_new_file_is_imported_once_and_filed(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop_files(inbox)
    outcomes = import_folder(engine, inbox, load_mapping(), settle_seconds=0)

    assert [(o.name, o.ok) for o in outcomes] == [("monday.csv", True), ("tuesday.csv", False)]
    assert (inbox / "done" / "monday.csv").is_file()
    assert (inbox / "failed" / "tuesday.csv").is_file()
    report = (inbox / "failed" / "tuesday.csv.errors.txt").read_text(encoding="utf-8")
    assert "line 2, column 'amount': 'lots' is not an amount" in report
    assert str(outcomes[0].summary()) == (
        "monday.csv: 2 new invoices, 0 changed, 1 new customer, 0 payments"
    )
    assert str(outcomes[1].summary()) == "tuesday.csv: nothing imported (1 error)"
    assert "; moved to `failed/` with its error report" in notice_text(outcomes[1])
    with unit_of_work(engine) as session:
        assert sorted(session.exec(select(Invoice.number))) == ["F-001", "F-002"]

    assert import_folder(engine, inbox, load_mapping(), settle_seconds=0) == []
    assert (inbox / ".hidden.csv").exists()

    write_csv(inbox / "monday.csv", [line(amount_paid="100")])  # the same name, a new export
    again = import_folder(engine, inbox, load_mapping(), settle_seconds=0)
    assert [o.report.payments_recorded for o in again if o.report] == [1]
    assert (inbox / "done" / "monday-1.csv").is_file()


def test_a_file_still_being_written_waits_for_the_next_pass(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_csv(inbox / "now.csv", [line()])
    fresh = time.time()
    os.utime(inbox / "now.csv", (fresh, fresh))
    assert import_folder(engine, inbox, load_mapping(), clock=lambda: fresh + 1) == []
    assert [
        o.ok for o in import_folder(engine, inbox, load_mapping(), clock=lambda: fresh + 60)
    ] == [True]


def test_the_watch_command_tells_the_digest_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeSlack()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    monkeypatch.setenv("RELANCE_DIGEST_CHANNEL", "CDIGEST")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop_files(inbox)
    past = time.time() - 3600
    for path in inbox.iterdir():
        os.utime(path, (past, past))
    try:
        assert main(["import", "--watch", str(inbox), "--once"]) == 1  # one file failed
    finally:
        fake.close()
    posts = [c.args for c in fake.calls if c.method == "chat.postMessage"]
    assert [p["channel"] for p in posts] == ["CDIGEST", "CDIGEST"]
    assert posts[0]["text"] == (
        "📥 monday.csv: 2 new invoices, 0 changed, 1 new customer, 0 payments"
    )
    assert posts[1]["text"].startswith("❗ tuesday.csv: nothing imported (1 error); moved to")
    assert "line 2, column 'amount'" in posts[1]["text"]
    assert "monday.csv: 2 new invoices" in capsys.readouterr().out


def test_bank_statements_dropped_in_the_folder_are_applied(engine: Engine, tmp_path: Path) -> None:
    from functools import partial

    from bot.config import Settings
    from bot.domain.payment_matching import MatchPolicy
    from bot.entry.composition import build_runtime
    from bot.services import cash
    from tests.support.bank_files import Entry, camt053

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_csv(inbox / "a-ledger.csv", [line()])
    (inbox / "b-statement.xml").write_bytes(camt053([Entry("1234.56", "E1", text="F-001")]))
    (inbox / "c-broken.xml").write_bytes(
        camt053([Entry("1.00", "E2")]).replace(b"<Sts>BOOK</Sts>", b"")
    )
    runtime = build_runtime(Settings(), engine)
    bank = partial(
        cash.import_bank_file,
        engine,
        policy=MatchPolicy(),
        composer=runtime.composer,
        policies=runtime.governing(),
        run_date=runtime.company_today(runtime.now()),
    )
    outcomes = import_folder(engine, inbox, load_mapping(), settle_seconds=0, bank=bank)
    assert [(o.name, o.ok) for o in outcomes] == [
        ("a-ledger.csv", True),
        ("b-statement.xml", True),
        ("c-broken.xml", False),
    ]
    assert str(outcomes[1].summary()) == "b-statement.xml: bank statement, 1 applied, 0 to decide"
    assert (inbox / "done" / "b-statement.xml").is_file()
    assert "does not follow the camt.053.001.02 schema" in (
        inbox / "failed" / "c-broken.xml.errors.txt"
    ).read_text(encoding="utf-8")
    with unit_of_work(engine) as session:
        assert session.exec(select(Invoice)).one().balance == 0


def test_a_balance_other_than_total_less_paid_is_told_to_the_channel(
    engine: Engine, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    export = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "xero.csv"
    (inbox / "xero.csv").write_bytes(export.read_bytes())
    (outcome,) = import_folder(engine, inbox, load_mapping("xero"), settle_seconds=0)
    assert str(outcome.summary()).endswith(
        ", 1 balance other than total − paid (imported as the tool says)"
    )
    lines = notice_text(outcome).splitlines()
    assert lines[1].startswith("• line 11: invoice INV-0111: xero says GBP 960.00 is owed")
