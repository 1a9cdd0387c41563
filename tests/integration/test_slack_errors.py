"""What the app does when Slack says no: a refused layout still gets the morning out as plain
text with a warning (and the payload's shape in the log), a digest channel without the bot
is named in one line, and a refused token stops `relance run` with one clear line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import Settings
from bot.entry.cli import main
from bot.entry.cli.running import _slack_lets_us_start
from bot.slack.client import make_client
from bot.slack.digest_poster import post_daily_digest
from bot.slack.slack_errors import LAYOUT_REFUSED
from tests.support.app_process import free_port
from tests.support.fake_slack import FakeSlack, manifest_scopes
from tests.support.slack_fixtures import SlackWorld

REFUSED = {
    "ok": False,
    "error": "invalid_blocks",
    "errors": ["no more than 25 items allowed [json-pointer:/blocks/9/elements]"],
}


def _morning(world: SlackWorld) -> bool:
    runtime = world.runtime
    return post_daily_digest(runtime, make_client(runtime.settings), runtime.now(), "one")


def test_a_refused_digest_goes_out_as_plain_text_with_a_warning(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world.fake.fail_next("chat.postMessage", status=200, body=REFUSED, headers={})
    with caplog.at_level(logging.ERROR):
        assert _morning(world)
    refused, fallback, *rest = world.fake.calls_to("chat.postMessage")
    assert refused.response["error"] == "invalid_blocks"
    assert "blocks" not in fallback.args and fallback.response["ok"]
    assert fallback.args["channel"] == "CDIGEST"
    assert fallback.args["text"].startswith("Overdue digest for ")
    assert fallback.args["text"].endswith(LAYOUT_REFUSED)
    cards = [c for c in rest if c.args.get("thread_ts") == fallback.response["ts"]]
    assert cards and all(c.response["ok"] for c in cards)  # the thread went on
    (logged,) = [r.getMessage() for r in caplog.records if "refused a message" in r.getMessage()]
    assert "blocks: header×1" in logged and "no more than 25 items allowed" in logged
    assert "Atelier" not in logged  # the shape, not the customers' names


def test_a_refused_card_is_posted_as_text_and_the_others_follow(world: SlackWorld) -> None:
    world.fake.fail_next("chat.postMessage", status=200, body=REFUSED, headers={}, after=1)
    assert _morning(world)
    digest, *posts = world.fake.calls_to("chat.postMessage")
    thread = [c for c in posts if c.args.get("thread_ts") == digest.response["ts"]]
    refused, as_text, *others = thread
    assert refused.response["error"] == "invalid_blocks"
    assert as_text.args["text"].endswith(LAYOUT_REFUSED) and "blocks" not in as_text.args
    assert others and all(c.response["ok"] and c.args.get("blocks") for c in others)


def test_a_digest_channel_without_the_bot_is_named_in_one_line(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world.fake.outside_channels.add("CDIGEST")
    with caplog.at_level(logging.ERROR):
        assert not _morning(world)
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == (
        "the digest was not posted: the bot is not in the channel CDIGEST: "
        "type /invite @Relance in it"
    )
    assert record.exc_info is None  # a line, not a traceback


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked"])
def test_a_refused_token_stops_the_start_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: str,
) -> None:
    fake = FakeSlack()
    fake.fail_next("auth.test", status=200, body={"ok": False, "error": error}, headers={})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    try:
        assert main(["run", "--http", "--port", str(free_port())]) == 2
    finally:
        fake.close()
    err = capsys.readouterr().err
    assert "error: SLACK_BOT_TOKEN" in err and f"({error})" in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.sqlite").exists()  # nothing was started


def test_a_missing_scope_is_named_when_the_app_starts_and_the_start_goes_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = FakeSlack(scopes=manifest_scopes() - {"users:read"})
    settings = Settings(
        slack_bot_token="xoxb-test", slack_api_url=fake.api_url, digest_channel="CDIGEST"
    )
    try:
        assert _slack_lets_us_start(settings)
    finally:
        fake.close()
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        "warning: the bot token lacks the users:read scope (needed by bots.info)"
    )
