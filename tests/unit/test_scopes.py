"""The manifest asks for exactly the bot scopes the code needs: every Web API method the code
calls is in `bot/slack/scopes.py`'s table (each with the scopes its docs.slack.dev page names),
no method in the table goes uncalled, and `manifest.yml` grants the table's scopes, no more."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from slack_sdk import WebClient

from bot.slack.scopes import METHODS, bot_scopes

ROOT = Path(__file__).resolve().parents[2]

# Calls slack_sdk makes on the app's behalf: one client method that is several Web API calls,
# and Socket Mode's connection.
MADE_FOR_US = {
    "files_upload_v2": {"files.getUploadURLExternal", "files.completeUploadExternal"},
    "SocketModeHandler": {"apps.connections.open"},
}


def api_name(client_method: str) -> str:
    """slack_sdk's `usergroups_users_list` is the Web API's `usergroups.users.list`."""
    return client_method.replace("_", ".")


def methods_the_code_calls() -> set[str]:
    found: set[str] = set()
    for source in (ROOT / "bot").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        for name in re.findall(r"\bclient\.([a-zA-Z_0-9]+)\(", text):
            if name in MADE_FOR_US:
                found |= MADE_FOR_US[name]
            elif callable(getattr(WebClient, name, None)) and name not in ("api_call",):
                found.add(api_name(name))
        found |= set(re.findall(r"api_call\(\s*[\"']([a-zA-Z.]+)[\"']", text))
        for name, methods in MADE_FOR_US.items():
            if re.search(rf"\b{name}\b", text):
                found |= methods
    return found


def manifest_scopes() -> set[str]:
    data = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    return set(data["oauth_config"]["scopes"]["bot"])


def test_the_scan_finds_the_calls_it_should() -> None:
    called = methods_the_code_calls()
    assert {"chat.postMessage", "views.open", "bots.info", "usergroups.users.list"} <= called
    assert api_name("chat_getPermalink") == "chat.getPermalink"


def test_every_method_called_is_in_the_table() -> None:
    assert methods_the_code_calls() - METHODS.keys() == set()


def test_every_method_in_the_table_is_called() -> None:
    assert METHODS.keys() - methods_the_code_calls() == set()


def test_the_manifest_asks_for_no_scope_missing() -> None:
    assert bot_scopes() - manifest_scopes() == set()


def test_the_manifest_asks_for_no_scope_unused() -> None:
    assert manifest_scopes() - bot_scopes() == set()


def test_bots_info_needs_users_read() -> None:
    """The owners' morning message links to the Home through bots.info (the app's id)."""
    assert METHODS["bots.info"].scopes == ("users:read",)
