"""`RELANCE_LOG_FORMAT=json`: one JSON object per line with the ids a record carries, never a
token or a password; the default stays human."""

from __future__ import annotations

import json
import logging

import pytest

from bot import logs


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("bot.test", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_line_is_one_json_object_with_its_ids() -> None:
    token = logs.request_id.set("req-1")
    try:
        line = logs.JsonFormatter().format(record("sent %s", "x", reminder_id=12, customer_id=3))
    finally:
        logs.request_id.reset(token)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "warning" and parsed["event"] == "sent x"
    assert (parsed["request_id"], parsed["reminder_id"], parsed["customer_id"]) == ("req-1", 12, 3)
    assert parsed["time"].endswith("+00:00")


def test_secrets_a_message_quotes_are_masked() -> None:
    message = (
        "token xoxb-123-456-abc, app xapp-1-A-2, "
        "postgresql://relance:s3cret@db:5432/x, password=hunter2"
    )
    line = logs.JsonFormatter().format(record(message))
    for secret in ("xoxb-123", "xapp-1-A", "s3cret", "hunter2"):
        assert secret not in line
    assert "postgresql://relance:***@db:5432/x" in line


def test_a_traceback_stays_on_the_line() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        failed = record("failed")
        failed.exc_info = sys.exc_info()
    parsed = json.loads(logs.JsonFormatter().format(failed))
    assert parsed["error"] == "ValueError" and "Traceback" in parsed["traceback"]


@pytest.mark.parametrize(("setting", "json_lines"), [("json", True), ("", False)])
def test_the_format_is_chosen_by_the_setting(
    setting: str,
    json_lines: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RELANCE_LOG_FORMAT", setting)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logs.configure()
        logging.getLogger("bot.test").info("hello")
    finally:
        root.handlers[:], root.level = saved
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("{") is json_lines and "hello" in line
