"""Customer page: render time of one customer's page with 500 open invoices, p50 and p99.

Each request goes through the page's WSGI application as a customer's browser would reach it:
the link checked, the view recorded in the audit trail, the invoices read, amounts and dates
formatted in the customer's locale, the EPC QR code drawn, the HTML rendered. The baseline,
measured in the same run, is the least any such page costs: one query for the same invoices and
a bare jinja2 table of them.

Usage: python -m bench.page_bench
"""

from __future__ import annotations

import csv
import io
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from jinja2 import Environment

from bench.databases import fresh, print_table
from bot.config import Settings
from bot.db import make_engine
from bot.entry.composition import build_runtime
from bot.entry.sample_data import HEADER
from bot.importing.mapping import load_mapping
from bot.services.ledger.importing import import_invoices
from bot.services.page import page_links
from bot.web.app import PageApp

INVOICES = 500
REQUESTS = 300
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
BARE = Environment(autoescape=True).from_string(
    "<table>{% for n, a, p, d in rows %}<tr><td>{{ n }}</td><td>{{ a }}</td><td>{{ p }}</td>"
    "<td>{{ d }}</td></tr>{% endfor %}</table>"
)


def _ledger(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, HEADER)
        writer.writeheader()
        for n in range(INVOICES):
            due = TODAY - timedelta(days=n % 120)
            writer.writerow(
                {
                    "customer_id": "BIG",
                    "customer_name": "Grossiste Durand SA",
                    "contact_name": "Claire Durand",
                    "email": "claire@durand.example",
                    "language": "fr",
                    "country": "FR",
                    "timezone": "Europe/Paris",
                    "invoice_number": f"F-{n:05d}",
                    "currency": "EUR",
                    "amount": f"{100 + n}.50",
                    "amount_paid": "0",
                    "issue_date": (due - timedelta(days=30)).isoformat(),
                    "due_date": due.isoformat(),
                    "payment_link": f"https://pay.example.com/F-{n:05d}",
                }
            )


def _get(app: PageApp, path: str) -> int:
    status = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
    }
    body = b"".join(app(environ, lambda s, _h: status.append(s)))
    assert status[0].startswith("200") and b"F-00499" in body
    return len(body)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def _timed(work, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Path(tmp) / "big-customer.csv"
        _ledger(ledger)
        for backend in ("sqlite", "postgresql"):
            engine = make_engine(fresh(backend, "page"))
            import_invoices(engine, ledger, load_mapping())
            settings = Settings(page_secret="bench", public_url="http://bench.example")
            runtime = build_runtime(settings, engine, clock=lambda: NOW)
            with engine.connect() as conn:
                customer_id = conn.execute(sa.text("SELECT id FROM customer")).scalar_one()
            url = page_links.page_url(engine, settings, customer_id, NOW)
            path = url.removeprefix(settings.public_url)
            app = PageApp(runtime, post_news=lambda _news: None)
            size = _get(app, path)  # warm: templates compiled, locale data loaded

            def bare(engine=engine, customer_id=customer_id) -> str:  # type: ignore[no-untyped-def]
                with engine.connect() as conn:
                    found = conn.execute(
                        sa.text(
                            "SELECT number, amount_minor, paid_minor, due_date FROM invoice"
                            " WHERE customer_id = :c AND amount_minor > paid_minor"
                            " ORDER BY due_date, number"
                        ),
                        {"c": customer_id},
                    ).all()
                return BARE.render(rows=found)

            bare()
            ours = _percentiles(_timed(lambda app=app, path=path: _get(app, path), REQUESTS))
            base = _percentiles(_timed(bare, REQUESTS))
            rows.append(
                [
                    backend,
                    f"{ours[0]:.1f} ms",
                    f"{ours[1]:.1f} ms",
                    f"{base[0]:.1f} ms",
                    f"{base[1]:.1f} ms",
                    f"{ours[0] / base[0]:.1f}×",
                    f"{size / 1024:.0f} KiB",
                ]
            )
            engine.dispose()
    print_table(
        f"Customer page with {INVOICES} open invoices ({REQUESTS} requests each)",
        [
            "database",
            "page p50",
            "page p99",
            "bare table p50",
            "bare table p99",
            "ratio p50",
            "page size",
        ],
        rows,
    )
    return rows


if __name__ == "__main__":
    main()
