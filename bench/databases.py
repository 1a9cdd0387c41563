"""Fresh, migrated databases for a benchmark run: a SQLite file and a PostgreSQL schema."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import Engine

from bot.db import make_engine, normalize_url, upgrade

POSTGRES_URL = os.environ.get(
    "RELANCE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def fresh_sqlite(name: str) -> str:
    path = Path(tempfile.mkdtemp(prefix="relance-bench-")) / f"{name}.sqlite"
    url = f"sqlite:///{path}"
    upgrade(make_engine(url))
    return url


def fresh_postgres(name: str) -> str:
    schema = f"bench_{name}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    admin.dispose()
    url = normalize_url(POSTGRES_URL) + "?options=" + quote(f"-csearch_path={schema}")
    upgrade(make_engine(url))
    return url


def fresh(backend: str, name: str) -> str:
    return fresh_sqlite(name) if backend == "sqlite" else fresh_postgres(name)


#: The ledger the digest and suggestion benchmarks use: a mid-size company's open invoices.
OPEN_INVOICES = 100_000


def loaded_ledgers(lines: int, name: str) -> Iterator[tuple[str, Engine]]:
    """The same generated ledger imported into a fresh SQLite, then PostgreSQL, database."""
    from bench.import_bench import generate
    from bot.importing.mapping import load_mapping
    from bot.services.ledger.importing import import_invoices

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.csv"
        generate(path, lines)
        for backend in ("sqlite", "postgresql"):
            engine = make_engine(fresh(backend, name))
            import_invoices(engine, path, load_mapping())
            yield backend, engine
            engine.dispose()


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of `runs` timings: the least disturbed by the rest of the machine."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
