"""The README and `.env.example` say what the code does: every setting the code reads is
documented in both, nothing documented is left unread, and the Slack manifest lists every
sub-command (its scopes: test_scopes.py)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.slack.listeners.commands.relance import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[2]
SETTING = r"[A-Z][A-Z0-9_]{2,}"


def settings_read_by_the_code() -> set[str]:
    """Names passed to the settings loader (`env("NAME", …)`) or read from the environment."""
    names: set[str] = set()
    for source in (ROOT / "bot").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        names |= set(re.findall(rf'\benv\(\s*"({SETTING})"', text))
        names |= set(re.findall(rf'\b_(?:int|float)\(\s*"({SETTING})"', text))  # numbers
        names |= set(re.findall(rf'os\.environ(?:\.get)?[\(\[]\s*"({SETTING})"', text))
        names |= set(re.findall(rf'getenv\(\s*"({SETTING})"', text))
    return names


def readme_configuration_table() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            names |= set(re.findall(rf"`({SETTING})`", row.split("|")[1]))
    return names


def env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(rf"^#?\s*({SETTING})=", text, re.M))


def test_every_setting_read_is_in_the_readme_table_and_env_example() -> None:
    read = settings_read_by_the_code()
    assert "DATABASE_URL" in read and "SLACK_BOT_TOKEN" in read  # the scan itself works
    assert read - readme_configuration_table() == set(), "missing from the README's table"
    assert read - env_example() == set(), "missing from .env.example"


def test_nothing_documented_is_left_unread() -> None:
    read = settings_read_by_the_code()
    assert readme_configuration_table() - read == set(), "in the README but never read"
    assert env_example() - read == set(), "in .env.example but never read"


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def test_the_usage_hint_lists_every_sub_command() -> None:
    (command,) = manifest()["features"]["slash_commands"]
    hint = command["usage_hint"]
    missing = [name for name in ["help", *SUBCOMMANDS] if not re.search(rf"\b{name}\b", hint)]
    assert missing == []
    assert len(hint) <= 1000  # Slack's limit for a usage hint


def test_every_request_url_is_named_in_the_setup_steps() -> None:
    """HTTP mode needs each of the manifest's URLs replaced; the README says which."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    steps = " ".join(readme.split("## Creating the Slack app", 1)[1].split("\n## ", 1)[0].split())
    data = manifest()
    assert "url" in data["features"]["slash_commands"][0]
    assert "slash command's `url`" in steps
    assert "`request_url`" in steps
