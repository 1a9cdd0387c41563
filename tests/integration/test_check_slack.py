"""`relance check --slack` as someone who just installed the app runs it, against the fake
Slack: the token's scopes are read from Slack's `X-OAuth-Scopes` header, the digest channel
is looked up; one line per problem, exit 1 if any."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.entry.cli import main
from tests.support.fake_slack import FakeSlack, manifest_scopes


def _run(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, channel: str = "CDIGEST") -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-check")
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    monkeypatch.setenv("RELANCE_DIGEST_CHANNEL", channel)


@pytest.fixture
def granted() -> Iterator[FakeSlack]:
    fake = FakeSlack(scopes=manifest_scopes())
    yield fake
    fake.close()


def test_every_scope_granted_and_the_bot_in_the_channel_passes(
    granted: FakeSlack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(granted, monkeypatch)
    assert main(["check", "--slack"]) == 0
    out = capsys.readouterr()
    assert out.err == "" and out.out.startswith("ok:")
    assert [c.method for c in granted.calls] == ["auth.test", "conversations.info"]


def test_a_token_without_users_read_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeSlack(scopes=manifest_scopes() - {"users:read"})
    try:
        _run(fake, monkeypatch)
        assert main(["check", "--slack"]) == 1
    finally:
        fake.close()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "lacks the users:read scope (needed by bots.info)" in lines[0]


def test_each_missing_scope_and_a_channel_without_the_bot_is_a_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeSlack(scopes=frozenset({"chat:write", "commands", "channels:read", "groups:read"}))
    fake.outside_channels.add("CDIGEST")
    try:
        _run(fake, monkeypatch)
        assert main(["check", "--slack"]) == 1
    finally:
        fake.close()
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" scope")[0].rsplit(" ", 1)[1] for line in lines[:3]] == [
        "files:write",
        "usergroups:read",
        "users:read",
    ]
    assert len(lines) == 4 and "not a member of the digest channel CDIGEST" in lines[3]
    assert "/invite @Relance" in lines[3]


def test_a_channel_that_does_not_exist_is_named(
    granted: FakeSlack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    granted.missing_channels.add("CGONE")
    _run(granted, monkeypatch, channel="CGONE")
    assert main(["check", "--slack"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "the digest channel CGONE (RELANCE_DIGEST_CHANNEL) does not exist" in line


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked"])
def test_a_refused_token_is_one_clear_line(
    granted: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: str,
) -> None:
    granted.fail_next("auth.test", status=200, body={"ok": False, "error": error}, headers={})
    _run(granted, monkeypatch)
    assert main(["check", "--slack"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"({error})" in err and "Traceback" not in err
