"""The operator's endpoints on the app as production runs it (`relance run --http`, gunicorn):
`/readyz` follows a PostgreSQL server of the test's own going down and coming back, and
`/metrics` (Prometheus text, parsed by prometheus-client's own parser) moves during a morning,
summed across two workers."""

from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from bot.db import make_engine, upgrade
from tests.support.app_process import children, free_port, http_app, socket_app, until
from tests.support.fake_slack import FakeSlack
from tests.support.own_postgres import OwnPostgres
from tests.support.seeding import seed_cards
from tests.support.slack_http import SignedSlack, click_payload
from tests.support.slack_socket import SlackSocket

SECRET = "ops-secret"
APPROVER = "UOPS"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def app_env(url: str, fake: FakeSlack, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-ops",
        "SLACK_API_URL": fake.api_url,
        "RELANCE_APPROVERS": APPROVER,
        "RELANCE_DIGEST_CHANNEL": "CDIGEST",
        **more,
    }


def test_readyz_follows_the_database_down_and_back(
    own_postgres: OwnPostgres, tmp_path: Path
) -> None:
    fake = FakeSlack()
    try:
        env = app_env(own_postgres.url, fake, RELANCE_LOG_FORMAT="json")
        with http_app(env, tmp_path) as server:
            base = f"http://127.0.0.1:{server.port}"  # type: ignore[attr-defined]
            assert get(f"{base}/readyz") == (200, "ready\n")
            own_postgres.stop()
            status, body = get(f"{base}/readyz")
            assert status == 503 and "the database cannot be reached" in body
            assert get(f"{base}/healthz") == (200, "ok\n")  # alive: no restart wanted
            own_postgres.start()
            until(lambda: get(f"{base}/readyz") == (200, "ready\n"))
    finally:
        fake.close()
    # the app's log (its own lines and gunicorn's) was one JSON object per line, no secret
    lines = (tmp_path / "app.log").read_text(encoding="utf-8").splitlines()
    assert lines and all(json.loads(line)["event"] for line in lines)
    assert SECRET not in "".join(lines) and "xoxb-ops" not in "".join(lines)


def scrape(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, text = get(f"{base}/metrics")
    assert status == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_move_during_a_morning_summed_across_two_workers(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    url = str(sqlite_engine.url)
    clicks = 8
    reminders = seed_cards(url, clicks, "M")
    fake = FakeSlack()
    env = app_env(url, fake, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    try:
        with http_app(env, tmp_path, workers=2) as server:
            base = f"http://127.0.0.1:{server.port}"  # type: ignore[attr-defined]
            before = scrape(base)
            assert before[("relance_outbox_pending", ())] == 0
            assert ("relance_last_digest_timestamp_seconds", ()) not in before

            slack = SignedSlack(f"{base}/slack/events", SECRET)
            for n, reminder in enumerate(reminders):
                answer = slack.click(
                    "reminder_approve",
                    str(reminder),
                    user=APPROVER,
                    response_url=fake.response_url(),
                    message_ts=f"1.{n}",  # the card it is on (tests/support/seeding.py)
                )
                assert answer.status == 200
            until(lambda: scrape(base)[("relance_outbox_pending", ())] == clicks)
            reply = slack.command(  # the morning, now: suggestions and the digest posted
                "digest", user=APPROVER, channel="CDIGEST", response_url=fake.response_url()
            )
            assert reply.status == 200
            until(lambda: ("relance_morning_duration_seconds", ()) in scrape(base))

            handled = clicks + 1  # the clicks and the command
            # Both workers that counted are killed: gunicorn starts two new ones, which
            # counted nothing, yet each reports the sum of every worker's counts.
            first = children(server.pid)  # type: ignore[attr-defined]
            assert len(first) == 2
            for worker in first:
                os.kill(worker, signal.SIGKILL)
            until(lambda: len(set(children(server.pid)) - set(first)) == 2)  # type: ignore[attr-defined]
            until(lambda: get(f"{base}/healthz")[0] == 200)
            for _ in range(6):  # whichever new worker answers
                after = scrape(base)
                assert after[("relance_clicks_total", (("via", "http"),))] == handled
                assert after[("relance_ack_seconds_count", ())] == handled
                assert ("relance_last_digest_timestamp_seconds", ()) in after
                assert after[("relance_audit_events", ())] > before[("relance_audit_events", ())]
    finally:
        fake.close()


def test_readyz_refuses_an_older_schema(tmp_path: Path) -> None:
    """Migrations not current: not ready, and it says what to run."""
    from bot.config import Settings
    from bot.entry.composition import build_runtime
    from bot.entry.ops import answer

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    upgrade(engine, "0001")
    runtime = build_runtime(Settings(database_url=url), engine)
    got: list[str] = []
    body = answer(runtime, {"PATH_INFO": "/readyz"}, lambda status, _headers: got.append(status))
    assert got == ["503 Service Unavailable"]
    assert b"relance db upgrade" in b"".join(body)


def test_socket_mode_serves_them_on_its_small_server(sqlite_engine: Engine, tmp_path: Path) -> None:
    """Socket Mode has no HTTP endpoint for Slack: with the page off, `RELANCE_HEALTH_PORT`
    serves the three on loopback; a click over the socket is counted."""
    url = str(sqlite_engine.url)
    (reminder,) = seed_cards(url, 1, "Q")
    fake, slack = FakeSlack(), SlackSocket()
    fake.socket_mode_url = slack.url
    port = free_port()
    env = app_env(url, fake, SLACK_APP_TOKEN="xapp-ops", RELANCE_HEALTH_PORT=str(port))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # one process: its own counts
    base = f"http://127.0.0.1:{port}"
    try:
        with socket_app(env, tmp_path / "socket.log"):
            assert slack.connected.wait(60)
            until(lambda: _listening(base))
            assert get(f"{base}/readyz") == (200, "ready\n")
            click = click_payload(
                "reminder_approve",
                str(reminder),
                user=APPROVER,
                response_url=fake.response_url(),
                message_ts="1.0",
            )
            assert slack.send("env-1", "interactive", click) == {"envelope_id": "env-1"}
            until(lambda: scrape(base).get(("relance_clicks_total", (("via", "socket"),))) == 1)
            assert scrape(base)[("relance_ack_seconds_count", ())] == 1
    finally:
        slack.close()
        fake.close()


def _listening(base: str) -> bool:
    try:
        urllib.request.urlopen(f"{base}/healthz", timeout=1)
        return True
    except OSError:
        return False
