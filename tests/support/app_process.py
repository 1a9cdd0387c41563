"""The HTTP app as production runs it: `relance run --http` (gunicorn) in a process of its own,
its workers found among its children (to kill one, as a crash would)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers under its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def wait_healthy(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the app did not start:\n{log.read_text()}")


@contextmanager
def http_app(env: dict[str, str], workdir: Path, workers: int = 1) -> Iterator[subprocess.Popen]:
    """`relance run --http` on a free port (`process.port`), stopped at the end."""
    port = free_port()
    log = workdir / "app.log"
    command = [sys.executable, "-m", "bot.cli", "run", "--http", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers), "--threads", "4"],
        cwd=workdir,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    process.port = port  # type: ignore[attr-defined]
    try:
        wait_healthy(port, process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
