"""`relance check` runs exactly what start-up runs (bot/services/operations/settings_check.py): what it passes
starts, what it refuses `relance run` and `build_runtime` refuse too, for the same reason."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.channels.letter import letter_filename
from bot.config import PROJECT_ROOT, load_settings
from bot.entry.cli import main
from bot.entry.composition import build_runtime
from bot.services.operations.settings_check import PLACEHOLDERS

SEGMENT = '\n[[segments]]\nname = "keys"\npolicy = "keys.toml"\n'
NUDGE = '[[stages]]\nname = "nudge"\ntemplate = "no_such"\nopens_at_days = 5\nchannel = "email"\n'


def deadline_rule(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RELANCE_FINAL_NOTICE_DAYS", "30")
    return "stage handoff may open 9 business day(s) after the final notice"


def segment_without_its_templates(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    bundled = (PROJECT_ROOT / "bot" / "policy.toml").read_text(encoding="utf-8")
    (folder / "policy.toml").write_text(bundled + SEGMENT, encoding="utf-8")
    (folder / "keys.toml").write_text(NUDGE, encoding="utf-8")
    monkeypatch.setenv("RELANCE_POLICY_FILE", str(folder / "policy.toml"))
    return "stage 'nudge': email/en/no_such.subject.j2 is missing"


def jinja_syntax_error(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    templates = folder / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", templates)
    firm = templates / "email" / "fr" / "firm.txt.j2"
    firm.write_text(firm.read_text(encoding="utf-8") + "\n{% if balance %}\n", encoding="utf-8")
    monkeypatch.setenv("RELANCE_TEMPLATES_DIR", str(templates))
    return "email/fr/firm.txt.j2, line"


@pytest.mark.parametrize(
    "broken", [deadline_rule, segment_without_its_templates, jinja_syntax_error]
)
def test_check_refuses_what_start_up_refuses(
    broken: Callable[[Path, pytest.MonkeyPatch], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite'}")
    assert main(["check"]) == 0  # the bundled configuration passes
    capsys.readouterr()
    reason = broken(tmp_path, monkeypatch)

    assert main(["check"]) == 1
    checked = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert len(checked) == 1 and reason in checked[0]

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert main(["run"]) == 2
    started = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert started == checked
    assert not (tmp_path / "r.sqlite").exists()
    with pytest.raises(ValueError, match=re.escape(reason.split(",")[0])):
        build_runtime(load_settings(None))


def test_the_env_example_placeholders_are_the_ones_refused() -> None:
    example = dict(
        line.split("=", 1)
        for line in (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    )
    for setting, (_attribute, values) in PLACEHOLDERS.items():
        if setting in example:
            assert set(example[setting].split(",")) == set(values), setting
    assert {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "RELANCE_DIGEST_CHANNEL"} <= set(example)


@pytest.mark.parametrize(
    ("day", "why"),
    [(date(2026, 12, 6), "Sunday"), (date(2026, 12, 25), "Christmas")],
)
def test_the_morning_skips_a_day_off_unless_forced(
    day: date,
    why: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite'}")
    monkeypatch.setenv("RELANCE_COUNTRY", "FR")
    monkeypatch.setattr("bot.entry.cli.running.local_today", lambda _now, _zone: day)
    assert main(["morning"]) == 0
    out = capsys.readouterr().out
    assert f"{day.isoformat()} is not a business day in FR" in out and why in out
    assert not (tmp_path / "r.sqlite").exists()  # nothing done, nothing stored
    assert main(["morning", "--force"]) == 0
    assert "suggested" in capsys.readouterr().out


def test_letter_help_names_the_file_written(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["letter", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert letter_filename(12) in help_text and "mise-en-demeure-12.pdf" in help_text
