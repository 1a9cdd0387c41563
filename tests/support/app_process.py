"""The app as production runs it, in a process of its own: `relance run --http` (gunicorn; its
workers found among its children, to kill one as a crash would) or `relance run` (Socket Mode)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
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


def until(predicate: Callable[[], object], timeout: float = 60) -> None:
    """Wait for what another process does (no timing asserted: a deadline only stops a hang)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


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
    command = ["run", "--http", "--port", str(port), "--workers", str(workers), "--threads", "4"]
    with relance(command, env, workdir / "app.log") as process:
        process.port = port  # type: ignore[attr-defined]
        wait_healthy(port, process, workdir / "app.log")
        yield process


@contextmanager
def socket_app(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """`relance run` (Socket Mode: it connects to the socket `apps.connections.open` names),
    stopped at the end unless it was killed before."""
    with relance(["run"], env, log) as process:
        yield process


@contextmanager
def relance(arguments: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.entry.cli", *arguments],
        cwd=log.parent,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
