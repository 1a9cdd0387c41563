"""Starting HTTP mode: loopback unless told otherwise, and never without a signing secret."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.entry.cli import main
from tests.support.app_process import free_port


def test_http_mode_refuses_to_start_without_a_signing_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "")
    assert main(["run", "--http", "--port", str(free_port())]) == 2
    assert "error: SLACK_SIGNING_SECRET" in capsys.readouterr().err
    assert not (tmp_path / "r.sqlite").exists()  # refused before anything was started


def test_http_mode_listens_on_loopback_by_default(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite'}",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.entry.cli",
            "run",
            "--http",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.read() == b"ok\n"
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the HTTP app did not start")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"Listening at: http://127.0.0.1:{port}" in output
