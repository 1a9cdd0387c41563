"""Scale: the morning job, the digest and an owner's Home worklist as the ledger grows — 100k,
1M and 5M open invoices (20k, 200k and 1M customers, five invoices each).

Each measure runs in a child process of its own, so its peak memory (VmHWM, the child's own
high-water mark) is that measure's, modules included; the time is taken inside the child,
after the imports. Every time is also shown as a ratio to reading the same open invoices with
their customers (streamed), measured the same way in the same run.

The ledger is generated as a stream straight into the database — COPY on PostgreSQL, chunked
`executemany` on SQLite — never a list of a million rows in Python.

Usage: python -m bench.scale [--sizes 100k,1m,5m] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice

import sqlalchemy as sa

from bench.databases import fresh, print_table
from bot.db import make_engine

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)  # a Wednesday, 10:00 in Paris
TODAY = NOW.date()
SIZES = {"100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}
PER_CUSTOMER = 5
OWNERS = ("UBENCHA", "UBENCHB", "UBENCHC")
CHUNK = 10_000
COUNTRIES = (
    ("FR", "fr", "Europe/Paris", "EUR"),
    ("DE", "de", "Europe/Berlin", "EUR"),
    ("GB", "en", "Europe/London", "GBP"),
    ("ES", "es", "Europe/Madrid", "EUR"),
)
CUSTOMER_COLUMNS = (
    "id",
    "external_id",
    "name",
    "contact_name",
    "email",
    "phone",
    "language",
    "country",
    "timezone",
    "currency",
    "notes",
    "address",
    "paused",
    "salutation",
    "hold_reason",
    "held_email",
    "email_problem",
    "created_at",
    "updated_at",
    "governing_law",
    "owner",
    "segment",
)
INVOICE_COLUMNS = (
    "id",
    "number",
    "customer_id",
    "currency",
    "amount_minor",
    "paid_minor",
    "issue_date",
    "due_date",
    "payment_link",
    "status",
    "created_at",
    "updated_at",
)


def customers(count: int) -> Iterator[tuple[object, ...]]:
    made = NOW - timedelta(days=400)
    for c in range(1, count + 1):
        country, language, zone, currency = COUNTRIES[c % len(COUNTRIES)]
        owner = "" if c % 10 == 0 else OWNERS[c % len(OWNERS)]  # one in ten is nobody's
        yield (
            c,
            f"K{c:08d}",
            f"Customer {c:08d} Ltd",
            f"Contact {c}",
            f"ap{c}@customer{c}.example",
            "+33 1 00 00 00 00",
            language,
            country,
            zone,
            currency,
            "",
            f"{c} Main Street\nTown",
            False,
            "",
            "",
            "",
            "",
            made,
            made,
            "",
            owner,
            "",
        )


def invoices(count: int, seed: int = 7) -> Iterator[tuple[object, ...]]:
    """`count` open invoices, five per customer, due from 40 days ahead to 200 days ago."""
    rng = random.Random(seed)
    made = NOW - timedelta(days=1)
    for n in range(count):
        c = n // PER_CUSTOMER + 1
        currency = COUNTRIES[c % len(COUNTRIES)][3]
        due = TODAY - timedelta(days=rng.randint(-40, 200))
        amount = rng.randint(1_000, 2_000_000)
        paid = 0 if rng.random() < 0.7 else amount // 2
        yield (
            n + 1,
            f"B-{n:08d}",
            c,
            currency,
            amount,
            paid,
            due - timedelta(days=30),
            due,
            "",
            "open",
            made,
            made,
        )


def _insert(engine: sa.Engine, table: str, columns: tuple[str, ...], rows: Iterator) -> None:  # type: ignore[type-arg]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            while chunk := list(islice(rows, CHUNK)):
                cursor.executemany(sql, chunk)
        raw.commit()
    finally:
        raw.close()


def load(backend: str, lines: int) -> str:
    """A fresh database holding `lines` open invoices, streamed in; its URL."""
    url = fresh(backend, f"scale{lines}")
    engine = make_engine(url)
    _insert(engine, "customer", CUSTOMER_COLUMNS, customers(lines // PER_CUSTOMER))
    _insert(engine, "invoice", INVOICE_COLUMNS, invoices(lines))
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return url


def _peak_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def _runtime(engine: sa.Engine):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from bot.config import Settings
    from bot.entry.composition import build_runtime

    rt = build_runtime(Settings(), engine, clock=lambda: NOW)
    rt.policy = rt.base_policy = replace(rt.policy, owners=())
    return rt


def _child(measure: str, url: str) -> dict[str, object]:
    """One measure, in this (child) process: its time after the imports, and its peak."""
    from bot.domain.worklist import stage_titles
    from bot.services.overview import morning as mornings
    from bot.services.overview.digest import build_digest
    from bot.services.overview.worklists import worklist
    from bot.slack.blocks.worklist import worklist_blocks

    logging.getLogger("bot.entry.composition").setLevel(
        logging.ERROR
    )  # stale-rate notices: not results
    engine = make_engine(url)
    result: dict[str, object] = {}
    start = time.perf_counter()
    if measure == "read":
        with engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, max_row_buffer=CHUNK).execute(
                sa.text(
                    "SELECT i.*, c.* FROM invoice i JOIN customer c ON c.id = i.customer_id"
                    " WHERE i.amount_minor > i.paid_minor"
                )
            )
            result["rows"] = sum(len(part) for part in rows.partitions(CHUNK))
    elif measure == "morning":
        done = mornings.prepare(_runtime(engine), NOW, "CBENCH", details=False)
        result["suggested"] = sum(done.digest.awaiting.values())
    elif measure == "digest":
        build_digest(engine, TODAY, "CBENCH")
    elif measure == "home":
        rt = _runtime(engine)
        stages = [s.name for s in rt.policy.stages]
        titles = stage_titles(*rt.policies())
        first = worklist(engine, TODAY, OWNERS[0], stages, page=0)
        json.dumps({"type": "home", "blocks": worklist_blocks(first, "en_GB", titles)})
        last = worklist(engine, TODAY, OWNERS[0], stages, page=max(0, (first.total - 1) // 50))
        json.dumps({"type": "home", "blocks": worklist_blocks(last, "en_GB", titles)})
        result["worklist"] = first.total
    else:
        raise ValueError(measure)
    result["seconds"] = time.perf_counter() - start
    result["peak_kib"] = _peak_kib()
    engine.dispose()
    return result


def measure(what: str, url: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--child", what, "--url", url],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _forget_the_morning(url: str) -> None:
    from bench.morning_bench import _forget_the_morning as forget

    engine = make_engine(url)
    forget(engine)
    engine.dispose()


def run(sizes: list[str], backends: list[str]) -> list[list[str]]:
    rows = []
    for size in sizes:
        lines = SIZES[size]
        for backend in backends:
            start = time.perf_counter()
            url = load(backend, lines)
            loaded = time.perf_counter() - start
            read = measure("read", url)
            base = float(read["seconds"])  # type: ignore[arg-type]
            results = [("read", read)]
            for what in ("morning", "digest", "home"):
                results.append((what, measure(what, url)))
            for what, r in results:
                seconds = float(r["seconds"])  # type: ignore[arg-type]
                detail = {
                    "read": f"{r.get('rows', 0):,} rows, loaded in {loaded:.0f} s",
                    "morning": f"{r.get('suggested', 0):,} suggested",
                    "digest": "after the morning",
                    "home": f"pages 1 and last of {r.get('worklist', 0):,}",
                }[what]
                rows.append(
                    [
                        f"{lines:,}",
                        f"{lines // PER_CUSTOMER:,}",
                        backend,
                        what,
                        f"{seconds:.2f} s",
                        f"{seconds / base:.2f}×",
                        f"{int(r['peak_kib']) / 1024:.0f} MB",  # type: ignore[call-overload]
                        detail,
                    ]
                )
            if backend == "postgresql":  # the bench's schema, dropped: 5M rows take room
                _drop(url)
    print_table(
        "Scale (each measure in a child process; peak = its VmHWM)",
        ["open invoices", "customers", "database", "measure", "time", "vs read", "peak", ""],
        rows,
    )
    return rows


def _drop(url: str) -> None:
    from bench.databases import POSTGRES_URL

    schema = url.rsplit("search_path%3D", 1)[-1]
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--sizes", default="100k,1m", help="of 100k, 1m, 5m")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.url)))
        return
    sizes = [s.strip().lower() for s in args.sizes.split(",")]
    backends = [b.strip() for b in args.db.split(",")]
    unknown = [s for s in sizes if s not in SIZES] + [
        b for b in backends if b not in ("sqlite", "postgresql")
    ]
    if unknown:
        parser.error(f"unknown size or database: {', '.join(unknown)}")
    run(sizes, backends)


if __name__ == "__main__":
    main()
