"""The `relance` command as a user runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
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


def test_an_unknown_mapping_is_explained(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "x.csv", "--mapping", "sage50"]) == 2
    assert "bundled: quickbooks, relance, xero" in capsys.readouterr().err


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
