"""The first burst of clicks after a start counts every click: the metric families are
registered once however many threads arrive together (a race there answered each click 500)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BURST = """
import threading
from bot.services.operations import metrics

barrier, failed = threading.Barrier(32), []

def click():
    barrier.wait()
    try:
        metrics.count("clicks", via="http")
    except Exception as exc:  # what the request would have answered 500 for
        failed.append(repr(exc))

threads = [threading.Thread(target=click) for _ in range(32)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(failed), failed[:1])
"""


def test_thirty_two_first_clicks_at_once_are_all_counted() -> None:
    for _ in range(5):  # a fresh process each time: the registration happens once per process
        run = subprocess.run(
            [sys.executable, "-c", BURST],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert run.stdout.startswith("0 "), run.stdout
