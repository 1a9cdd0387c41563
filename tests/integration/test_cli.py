"""The `relance` command as a user runs it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.entry.cli import main
from tests.support.csvfiles import line, write_csv


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


def test_import_reports_what_it_did(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "in.csv", [line(), line(invoice_number="F-2")])
    assert main(["import", str(path)]) == 0
    assert "2 invoice lines read: 2 new" in capsys.readouterr().out


def test_a_failed_import_exits_non_zero_and_lists_lines(
    database: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_csv(tmp_path / "in.csv", [line(amount="nope"), line(currency="ZZZ")])
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "nothing imported: 2 error(s)" in err
    assert "line 2, column 'amount'" in err and "line 3, column 'currency'" in err


def test_an_invoice_issued_in_the_future_needs_allow_future(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "in.csv", [line(issue_date="2099-01-04", due_date="2099-02-03")])
    assert main(["import", str(path)]) == 1
    assert "line 2: invoice 'F-001' is issued on 2099-01-04, after today" in capsys.readouterr().err
    assert main(["import", str(path), "--allow-future"]) == 0


def test_import_prints_where_the_tools_balance_differs(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "xero.csv"
    assert main(["import", str(export), "--mapping", "xero"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("10 invoice lines read")
    assert out[1].startswith("line 11: invoice INV-0111: xero says GBP 960.00 is owed, where total")


def test_an_unknown_mapping_is_explained(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "x.csv", "--mapping", "myob"]) == 2
    err = capsys.readouterr().err
    assert "no mapping named 'myob'" in err
    assert (
        "bundled: fec, odoo, pennylane, quickbooks, quickbooks_aging_detail, quickbooks_open_invoices,"
        in err
    )


def test_import_help_lists_the_bundled_mappings(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "fec, odoo, pennylane, quickbooks, quickbooks_aging_detail, quickbooks_open_invoices, relance, "
        in out
    )
    assert "stripe, xero" in out


def test_a_missing_file_is_explained(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "nowhere.csv")]) == 2
    assert "nowhere.csv" in capsys.readouterr().err


def test_demo_shows_the_aging_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for bucket in ("not yet due", "1–30", "31–60", "61–90", "over 90"):
        assert bucket in out
    assert "Largest overdue balances" in out and "€" in out and "£" in out
    assert "reminders suggested" in out and "customers get none today, and why" in out
    assert "Subject:" in out  # one reminder in full
    assert "Camille: approved; Samir: told it was already approved by Camille." in out
    assert "⇒ held until someone acts" in out  # the reply
    assert "is failing: call instead" in out  # the hard bounce
    assert "(out of office)" in out and "held until 20" in out
    assert "chain intact" in out


def test_late_charges_answers_with_each_rate_period(capsys: pytest.CaptureFixture[str]) -> None:
    # Germany, across the 1 July 2025 change: 10 days at 11.27 %, 10 at 10.27 % on €1,000
    argv = ["late-charges", "--law", "DE", "--currency", "EUR", "--amount", "1000"]
    assert main([*argv, "--due", "2025-06-20", "--on", "2025-07-10"]) == 0
    out = capsys.readouterr().out
    assert "2025-06-21 to 2025-06-30:   10 day(s) at 11.27%" in out
    assert "2025-07-01 to 2025-07-10:   10 day(s) at 10.27%" in out
    assert "Interest:     €5.90" in out and "Compensation: €40.00" in out
    assert "German Civil Code (BGB), section 288(2) and (5)" in out
    assert (
        main([*argv, "--due", "2025-06-20", "--on", "2025-07-10", "--json", "--language", "de"])
        == 0
    )
    answer = json.loads(capsys.readouterr().out)
    assert [p["rate"] for p in answer["periods"]] == ["11.27", "10.27"]
    assert answer["interest"] == "5.90" and answer["compensation"] == "40"
    assert answer["citation"] == "§ 288 Abs. 2 und 5 BGB"


def test_late_charges_refuses_what_it_cannot_answer(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["late-charges", "--currency", "EUR", "--amount", "100", "--on", "2025-07-10"]
    assert main([*base, "--law", "US", "--due", "2025-06-20"]) == 2
    assert "no statutory regime is known for 'US'" in capsys.readouterr().err
    assert main([*base, "--law", "FR", "--due", "2020-01-01"]) == 1
    assert "no ECB main refinancing operations rate known" in capsys.readouterr().err


TABLES = ("reminder", "digest_run")


def test_morning_dry_run_prints_and_stores_nothing(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import date, timedelta

    due = (date.today() - timedelta(days=20)).isoformat()
    path = write_csv(tmp_path / "in.csv", [line(due_date=due, issue_date="2020-01-01")])
    assert main(["import", str(path)]) == 0
    capsys.readouterr()
    assert main(["morning", "--dry-run", "--force"]) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing stored" in out and "Awaiting a decision" in out
    with sqlite3.connect(database) as db:
        stored = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
    assert stored == [0, 0]
    assert main(["morning", "--force"]) == 0
    assert "dry run" not in capsys.readouterr().out
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM digest_run").fetchone()[0] == 0


def test_demo_writes_a_customers_page_and_prints_its_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RELANCE_PAGE_SECRET", raising=False)
    assert main(["demo", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    page = (tmp_path / "customer-page.html").read_text(encoding="utf-8")
    link = out.split("Its link: ", 1)[1].split()[0]  # the page's own link (reminders carry others)
    assert f'action="/pay/{link.rsplit("/", 1)[1]}/promise"' in page
    assert page.count("data-invoice=") >= 1 and "relance page --port 3001" in out


def test_import_bank_applies_once_and_names_bad_lines(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.bank_files import Entry, mt940

    assert main(["import", str(write_csv(tmp_path / "in.csv", [line()]))]) == 0
    statement = tmp_path / "stmt.sta"
    statement.write_bytes(mt940([Entry("1234.56", "B1", text="F-001")]))
    assert main(["import-bank", str(statement)]) == 0
    assert "1 entries: 1 applied (€1,234.56)" in capsys.readouterr().out
    assert main(["import-bank", str(statement)]) == 0
    assert "0 applied (nothing)" in capsys.readouterr().out
    bad = tmp_path / "bad.sta"
    bad.write_bytes(mt940([Entry("12.345", "B2")]))
    assert main(["import-bank", str(bad)]) == 1
    assert "line 5, column 'amount'" in capsys.readouterr().err
    assert main(["import-bank", str(statement), "--account", "not-an-iban"]) == 2
    assert main(["import-bank", str(statement), "--mapping", "nobank"]) == 2
