"""Unsigned bodies of 20 MB and 100 MB cost a gunicorn worker nothing (issue 25, finding 1).

Once, one such POST took a worker from 141 MB to 1.77 GB (100 MB: past 6 GB) and a 500: the
body was read and parsed before its signature was checked. The app runs as in production
(`relance run --http`, one gunicorn worker) and the worker's resident memory is read from
/proc/<pid>/status before and after.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.support.app_process import children, http_app, until
from tests.support.fake_slack import FakeSlack
from tests.support.slack_http import oversized_status

SECRET = "oversize-test-secret"
ALLOWED_GROWTH_KB = 50 * 1024


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture
def served(engine: Engine, tmp_path: Path) -> Iterator[tuple[str, int]]:
    fake = FakeSlack()
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-oversize",
        "SLACK_API_URL": fake.api_url,
        "RELANCE_DIGEST_CHANNEL": "",
    }
    with http_app(env, tmp_path) as server:
        until(lambda: children(server.pid))
        (worker,) = children(server.pid)
        yield f"http://127.0.0.1:{server.port}/slack/events", worker  # type: ignore[attr-defined]
    fake.close()


def test_huge_unsigned_bodies_are_refused_with_413_and_the_worker_stays_small(
    served: tuple[str, int],
) -> None:
    url, worker = served
    assert (
        oversized_status(url, 4096, whole=True) == 401
    )  # warm: a small unsigned body, read and refused
    idle = rss_kb(worker)
    for size in (20_000_000, 100_000_000):
        assert oversized_status(url, size, whole=True) == 413
        assert oversized_status(url, size, chunked=True) == 413
    grown = rss_kb(worker) - idle
    assert grown < ALLOWED_GROWTH_KB, f"the worker grew by {grown} kB"
    healthz = url.replace("/slack/events", "/healthz")
    assert urllib.request.urlopen(healthz, timeout=10).status == 200  # and still serves
