"""Clicks: 50 concurrent *Approve* clicks as signed HTTP requests on loopback (HTTP mode behind
gunicorn), time to acknowledgement, against a bolt app whose handler only acknowledges.

Usage: python -m bench.clicks_bench
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from bench.databases import fresh, print_table
from tests.support.app_process import free_port
from tests.support.seeding import seed_cards
from tests.support.slack_http import SignedSlack

CLICKS = 50
SECRET = "bench-secret"
ROUNDS = 5
WARM_UP_BURSTS = 2


def _start(command: list[str], env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/slack/events", timeout=1)
        except urllib.error.HTTPError:
            return process  # answering (404/405 on GET): up
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")


def _burst(slack: SignedSlack, api_url: str, values: list[str]) -> list[float]:
    barrier = threading.Barrier(len(values))
    response_url = api_url.replace("/api/", "/response/bench")

    def click(value: str) -> float:
        barrier.wait()
        reply = slack.click("reminder_approve", value, user="UBENCH", response_url=response_url)
        assert reply.status == 200, reply
        return reply.seconds * 1000

    with ThreadPoolExecutor(len(values)) as pool:
        return list(pool.map(click, values))


def _measure(
    command: list[str], env: dict, port: int, api_url: str, values: list[str]
) -> list[float]:
    # This client's own full garbage collections (it imported the ORM too) would pause its 50
    # threads mid-burst and be counted against whichever app was being measured.
    gc.collect()
    gc.freeze()
    server = _start(command, env, port)
    try:
        slack = SignedSlack(f"http://127.0.0.1:{port}/slack/events", SECRET)
        # Warm-up, the same for both apps: every worker booted, its threads and connections
        # made (a burst that lands on a worker still importing measures the boot, not a click).
        for _ in range(WARM_UP_BURSTS):
            _burst(slack, api_url, [values[0]] * CLICKS)
            time.sleep(1)
        latencies: list[float] = []
        for round_ in range(ROUNDS):
            latencies += _burst(slack, api_url, values[round_ * CLICKS : (round_ + 1) * CLICKS])
            time.sleep(1)  # let the previous burst's slow work drain
        return latencies
    finally:
        server.terminate()
        server.wait(10)


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> list[list[str]]:
    # The fake Slack runs in a process of its own, so that answering the app's calls does not
    # compete with the clients for this process's interpreter lock.
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fake_slack"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    api_url = fake.stdout.readline().strip()
    rows = []
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "-k",
        "gthread",
        "-w",
        "2",
        "--threads",
        "16",
        "--log-level",
        "warning",
    ]
    try:
        for backend in ("sqlite", "postgresql"):
            url = fresh(backend, "clicks")
            ids = [str(i) for i in seed_cards(url, CLICKS * ROUNDS, "B")]
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_API_URL": api_url,
                "RELANCE_APPROVERS": "UBENCH",
                "RELANCE_DIGEST_CHANNEL": "",
            }
            port = free_port()
            ours = _measure(
                [
                    sys.executable,
                    "-m",
                    "bot.entry.cli",
                    "run",
                    "--http",
                    "--port",
                    str(port),
                    "--workers",
                    "2",
                    "--threads",
                    "16",
                ],
                env,
                port,
                api_url,
                ids,
            )
            port = free_port()
            bare = _measure(
                [*gunicorn, "-b", f"127.0.0.1:{port}", "bench.bare_app:application"],
                env,
                port,
                api_url,
                ids,
            )
            rows.append(
                [
                    backend,
                    f"{len(ours)}",
                    f"{statistics.median(ours):.1f} ms",
                    f"{_p99(ours):.1f} ms",
                    f"{statistics.median(bare):.1f} ms",
                    f"{_p99(bare):.1f} ms",
                    f"{_p99(ours) / _p99(bare):.2f}×",
                ]
            )
    finally:
        fake.stdin.close()
        # The fake prints what Slack would have refused and exits 1 (tests/support/fake_slack.py).
        assert fake.wait(10) == 0, "the app sent Slack something Slack refuses"
    print_table(
        f"Clicks ({CLICKS} concurrent Approve clicks × {ROUNDS} rounds, HTTP mode)",
        ["database", "clicks", "median", "p99", "bare median", "bare p99", "p99 ratio"],
        rows,
    )
    return rows


if __name__ == "__main__":
    main()
