"""Every command the README lists answers `--help`, and a bad argument or a missing database
gets one clear line and a non-zero exit — never a traceback."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.calendar import local_today
from bot.entry.cli import main
from tests.support.csvfiles import line, write_csv

ROOT = Path(__file__).resolve().parents[2]
SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")


def readme_commands() -> list[list[str]]:
    """The sub-command words of each row of the README's command table (`audit export`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The `relance` command", 1)[1].split("\n## ", 1)[0]
    commands = []
    for row in section.splitlines():
        match = re.match(r"\| `relance ([^`]*)`", row)
        if match:
            words = []
            for word in match.group(1).split():
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                words.append(word)
            if words not in commands:
                commands.append(words)
    return commands


#: For each command, arguments a person might get wrong; commands without an entry are given an
#: unknown option.
BAD = {
    ("import",): ["missing.csv"],
    ("send",): [],
    ("report",): [],
    ("letter",): ["seven"],
    ("audit", "verify"): [],
    ("audit", "export"): ["--since", "26/11/2026"],
    ("run",): [],
    ("db", "upgrade"): ["--bogus"],
}


@pytest.fixture
def bare_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No `.env`, no database, no Slack credentials: what a newcomer starts from."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'relance.sqlite'}")
    for name in SLACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def test_the_readme_table_was_read() -> None:
    assert ["audit", "export"] in readme_commands()
    assert ["run"] in readme_commands()


@pytest.mark.parametrize("words", readme_commands(), ids=" ".join)
def test_help_is_answered(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run([*words, "--help"]) == 0
    assert "usage: relance " + " ".join(words) in capsys.readouterr().out


@pytest.mark.parametrize("words", readme_commands(), ids=" ".join)
def test_a_bad_argument_is_one_clear_line(
    words: list[str], bare_directory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*words, *BAD.get(tuple(words), ["--no-such-option"])]
    assert run(argv) != 0  # a traceback would fail the test here, raised from main
    error = capsys.readouterr().err
    assert "Traceback" not in error
    assert re.search(r"error: ", error), error


def test_commands_that_read_do_not_create_a_database(bare_directory: Path) -> None:
    for argv in (["report"], ["send"], ["audit", "verify"], ["letter", "3"], ["run"]):
        assert run(argv) == 2
    assert not (bare_directory / "relance.sqlite").exists()


def test_run_lists_every_missing_setting_at_once(
    bare_directory: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELANCE_DIGEST_TIME", "9h")
    monkeypatch.delenv("RELANCE_DIGEST_CHANNEL", raising=False)
    assert run(["run"]) == 2
    error = capsys.readouterr().err
    for expected in (
        "error: SLACK_BOT_TOKEN",
        "error: SLACK_APP_TOKEN",
        "error: RELANCE_DIGEST_TIME",
        "warning: RELANCE_DIGEST_CHANNEL",
        "warning: RELANCE_APPROVERS",
    ):
        assert expected in error
    assert run(["run", "--http"]) == 2
    assert "error: SLACK_SIGNING_SECRET" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("zone", "due_days_before_its_today", "overdue"),
    # 25 hours apart: whatever the hour, the host's UTC date differs from one of these
    # companies' dates, so a report using it gets one of the two cases wrong.
    [("Pacific/Kiritimati", 1, True), ("Pacific/Pago_Pago", 0, False)],
)
def test_report_counts_days_in_the_company_time_zone(
    zone: str,
    due_days_before_its_today: int,
    overdue: bool,
    bare_directory: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RELANCE_TIMEZONE", zone)
    monkeypatch.setenv("RELANCE_LOCALE", "en_GB")
    due = local_today(datetime.now(UTC), zone) - timedelta(days=due_days_before_its_today)
    issued = due - timedelta(days=30)
    write_csv(
        bare_directory / "ledger.csv",
        [line(amount="100", due_date=due.isoformat(), issue_date=issued.isoformat())],
    )
    assert run(["import", "ledger.csv"]) == 0
    assert run(["report"]) == 0
    (eur,) = [row for row in capsys.readouterr().out.splitlines() if row.startswith("EUR")]
    assert eur.rstrip().endswith("€100.00") is overdue, eur
