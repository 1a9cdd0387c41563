"""Prometheus metrics: what each process counts (e-mails, inbox messages, clicks and their
acknowledgement latency, page views and answers, the morning's duration), and what is read from
the shared database at each scrape (the outbox, the last digest, the inbox's lag, bank lines
applied and waiting, the audit trail's head: bot/services/operations/health.py).

Under gunicorn each worker writes its counts to files in `PROMETHEUS_MULTIPROC_DIR` and a
scrape of any worker sums them (prometheus-client's multiprocess mode): `relance run --http`
makes that folder when it is not set. prometheus_client chooses its mode when first imported,
so it is imported here only when a metric is first used, after `relance run` has set it up.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from bot.domain.outcomes import Delivery

if TYPE_CHECKING:
    from bot.services.delivery.outbox import DeliveryReport
    from bot.services.inbox.mailbox import FetchReport

MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def prepare_multiprocess() -> str:
    """Before gunicorn forks its workers: a fresh folder for their counts (the one the
    environment names, emptied, or a new temporary one)."""
    folder = os.environ.get(MULTIPROC) or tempfile.mkdtemp(prefix="relance-metrics-")
    os.makedirs(folder, exist_ok=True)
    for leftover in os.listdir(folder):
        if leftover.endswith(".db"):
            os.remove(os.path.join(folder, leftover))
    os.environ[MULTIPROC] = folder
    return folder


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges are dropped (its counts stay)."""
    if os.environ.get(MULTIPROC):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]  # untyped library


_REGISTERING = threading.Lock()


def _metrics() -> dict[str, Any]:
    """The families, registered once per process. A lock, not `functools.cache`: the first
    burst of clicks reaches this from many threads at once, and a second registration of the
    same names raises (every one of those clicks answered 500)."""
    with _REGISTERING:
        return _families()


@cache
def _families() -> dict[str, Any]:
    from prometheus_client import Counter, Gauge, Histogram

    return {
        "emails": Counter("relance_emails", "E-mails the outbox handled, by outcome", ["outcome"]),
        "inbox": Counter(
            "relance_inbox_messages", "Messages read from the reply mailbox, by kind", ["kind"]
        ),
        "clicks": Counter("relance_clicks", "Slack interactions handled, by transport", ["via"]),
        "ack": Histogram(
            "relance_ack_seconds",
            "Time from a Slack interaction's arrival to its acknowledgement",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10),
        ),
        "page": Counter("relance_page_requests", "Customer page requests, by kind", ["kind"]),
        "morning": Gauge(
            "relance_morning_duration_seconds",
            "How long the last morning (suggestions and digest) took",
            multiprocess_mode="mostrecent",
        ),
    }


def count(name: str, amount: int = 1, **labels: str) -> None:
    if amount:
        metric = _metrics()[name]
        (metric.labels(**labels) if labels else metric).inc(amount)


def observe(name: str, value: float) -> None:
    metric = _metrics()[name]
    if hasattr(metric, "observe"):
        metric.observe(value)
    else:
        metric.set(value)


def count_delivery(report: DeliveryReport) -> None:
    """One outbox pass's e-mails, by outcome."""
    for outcome in Delivery:
        count("emails", len(report.of(outcome)), outcome=outcome)


def count_inbox(report: FetchReport) -> None:
    for handled in report.handled:
        count("inbox", kind=handled.kind)
    count("inbox", len(report.failed), kind="failed")


def _database_families(engine: Engine) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily

    from bot.db import read_only
    from bot.services.operations.health import figures

    now = datetime.now(UTC)
    with read_only(engine) as session:
        f = figures(session, now)
    values: list[tuple[str, str, float]] = [
        ("relance_outbox_pending", "Messages waiting in the outbox", f.outbox_pending),
        ("relance_outbox_failed", "Messages failed for good", f.outbox_failed),
        (
            "relance_outbox_oldest_due_seconds",
            "How long the oldest due message has waited",
            f.outbox_oldest_due_seconds,
        ),
        ("relance_inbox_unposted", "Mailbox messages not yet in Slack", f.inbox_unposted),
        ("relance_inbox_lag_seconds", "Age of the oldest of those", f.inbox_lag_seconds),
        ("relance_audit_events", "Events in the audit trail", f.audit_events),
        ("relance_bank_lines_applied", "Bank statement lines applied", f.bank_lines_applied),
        (
            "relance_bank_lines_waiting",
            "Bank statement lines waiting for a person",
            f.bank_lines_waiting,
        ),
    ]
    if f.last_digest_at is not None:
        values.append(
            (
                "relance_last_digest_timestamp_seconds",
                "When the last digest was posted (Unix time)",
                f.last_digest_at.timestamp(),
            )
        )
    if f.audit_head_age_seconds is not None:
        values.append(
            (
                "relance_audit_head_age_seconds",
                "Age of the newest audit event",
                f.audit_head_age_seconds,
            )
        )
    for name, documentation, value in values:
        yield GaugeMetricFamily(name, documentation, value=value)


def exposition(engine: Engine) -> bytes:
    """The text a scrape gets: every process's counts (summed across workers in multiprocess
    mode), then the database's figures."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess

    _metrics()  # the families exist (at zero) before anything happened
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped library
    else:
        registry = REGISTRY

    class _Database:
        def collect(self) -> Iterator[Any]:
            yield from _database_families(engine)

    database = CollectorRegistry()
    database.register(_Database())
    return generate_latest(registry) + generate_latest(database)
