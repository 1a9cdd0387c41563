"""Each failure a person deploying Relance met as a traceback (issue 29) is one line naming
its cause and its fix, with a non-zero exit; `--debug` gives the traceback back. Every case runs
the installed command in a folder of its own, as a person would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.config import PROJECT_ROOT, Settings
from tests.support.app_process import free_port
from tests.support.fake_slack import FakeSlack
from tests.support.imap_server import ImapServer

OURS = ("RELANCE_", "SLACK_", "SMTP_", "IMAP_", "MAIL_", "DATABASE_URL", "MIGRATION_DATABASE_URL")


def relance(folder: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`relance ARGS` in `folder` with only `settings` set (no .env there unless written)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    return subprocess.run(
        [sys.executable, "-m", "bot.entry.cli", *args],
        cwd=folder,
        env={**env, **settings},
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The command failed with exactly one `error:` line holding `words`, and no traceback."""
    assert result.returncode in (1, 2), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0]
    return errors[0]


def test_the_env_example_placeholders_are_refused_by_name(tmp_path: Path) -> None:
    shutil.copy(PROJECT_ROOT / ".env.example", tmp_path / ".env")
    result = relance(tmp_path, "run")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    for setting in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "RELANCE_DIGEST_CHANNEL"):
        assert any(
            e.startswith(f"error: {setting} still has the .env.example placeholder") for e in errors
        )
    assert not list(tmp_path.glob("*.sqlite*"))  # nothing was started


def test_tokens_slack_refuses_stop_the_start_in_one_line(tmp_path: Path) -> None:
    slack = FakeSlack()
    try:
        settings = {
            "SLACK_BOT_TOKEN": "xoxb-nonsense",
            "SLACK_APP_TOKEN": "xapp-nonsense",
            "SLACK_API_URL": slack.api_url,
        }
        slack.fail_next("auth.test", 200, {"ok": False, "error": "invalid_auth"}, {})
        one_line(relance(tmp_path, "run", **settings), "SLACK_BOT_TOKEN", "(invalid_auth)")
        # the bot token passes, the app-level token (Socket Mode) is refused
        slack.fail_next("apps.connections.open", 200, {"ok": False, "error": "invalid_auth"}, {})
        one_line(relance(tmp_path, "run", **settings), "Slack refused the token", "SLACK_APP_TOKEN")
    finally:
        slack.close()


def test_a_dry_morning_in_a_fresh_folder_creates_no_database(tmp_path: Path) -> None:
    one_line(relance(tmp_path, "morning", "--dry-run", "--force"), "no database", "relance import")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["report"], ["check"], ["send"]])
def test_a_word_in_a_numeric_setting_is_named(tmp_path: Path, command: list[str]) -> None:
    one_line(
        relance(tmp_path, *command, RELANCE_DIGEST_PAGE_SIZE="twenty"),
        "RELANCE_DIGEST_PAGE_SIZE='twenty' is not a whole number",
    )


def test_a_missing_policy_or_bank_accounts_file_is_named(tmp_path: Path) -> None:
    one_line(
        relance(tmp_path, "morning", "--force", RELANCE_POLICY_FILE="nowhere.toml"),
        "RELANCE_POLICY_FILE: cannot read nowhere.toml",
    )
    one_line(
        relance(tmp_path, "report", RELANCE_BANK_ACCOUNTS_FILE="banks.toml"),
        "RELANCE_BANK_ACCOUNTS_FILE: cannot read banks.toml",
    )


def test_a_policy_that_is_not_toml_is_named(tmp_path: Path) -> None:
    (tmp_path / "policy.toml").write_text("[[stages]\nname = 'x'\n", encoding="utf-8")
    for command in (["morning", "--force"], ["check"]):
        one_line(
            relance(tmp_path, *command, RELANCE_POLICY_FILE="policy.toml"),
            "policy.toml is not valid TOML",
        )


def test_start_up_refusals_are_one_line(tmp_path: Path) -> None:
    one_line(
        relance(tmp_path, "morning", "--force", RELANCE_FINAL_NOTICE_DAYS="30"),
        "stage handoff may open",
        "at least 31",
    )
    missing = tmp_path / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", missing)
    (missing / "call" / "en" / "call.txt.j2").unlink()
    one_line(
        relance(tmp_path, "morning", "--force", RELANCE_TEMPLATES_DIR=str(missing)),
        "call/en/call.txt.j2 is missing",
        "relance check",
    )


def test_the_reply_mailbox_down_or_refusing_the_login(
    tmp_path: Path, imap_server: ImapServer
) -> None:
    mailbox = {
        "IMAP_HOST": "127.0.0.1",
        "IMAP_SECURITY": "none",
        "IMAP_USER": imap_server.user,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite'}",
    }
    down = relance(tmp_path, "fetch-mail", IMAP_PORT=str(free_port()), **mailbox)
    one_line(down, "cannot be read (a server refused the connection)", "IMAP_PORT")
    refused = relance(
        tmp_path, "fetch-mail", IMAP_PORT=str(imap_server.port), IMAP_PASSWORD="wrong", **mailbox
    )
    one_line(refused, "refused the login of 'relance'", "IMAP_PASSWORD")
    assert "wrong" not in refused.stderr


def test_a_database_down_or_a_bad_address(tmp_path: Path) -> None:
    down = f"postgresql://relance:s3cret@127.0.0.1:{free_port()}/relance"
    for command in (["send"], ["report"], ["morning", "--force"]):
        result = relance(tmp_path, *command, DATABASE_URL=down)
        one_line(result, "the database cannot be reached", "DATABASE_URL")
        assert "s3cret" not in result.stderr
    for command in ("send", "report"):
        one_line(
            relance(tmp_path, command, DATABASE_URL="mysql+nothing://x"),
            "DATABASE_URL is not a database address",
        )


def test_a_letter_without_its_font(tmp_path: Path, sqlite_engine: Engine) -> None:
    from tests.integration.test_letter import final_notice

    reminder = final_notice(sqlite_engine, tmp_path, Settings())
    result = relance(
        tmp_path,
        "letter",
        str(reminder.id),
        DATABASE_URL=str(sqlite_engine.url),
        RELANCE_LETTER_FONT="/nowhere/DejaVuSans.ttf",
    )
    one_line(result, "/nowhere/DejaVuSans.ttf is missing", "fonts-dejavu-core")
    assert not list(tmp_path.glob("*.pdf"))


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = relance(tmp_path, "--debug", "report", DATABASE_URL="mysql+nothing://x")
    assert result.returncode == 1 and "Traceback" in result.stderr
