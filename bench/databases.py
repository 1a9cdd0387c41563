"""Fresh, migrated databases for a benchmark run: a SQLite file and a PostgreSQL schema."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from bot.db import make_engine, normalize_url, upgrade

POSTGRES_URL = os.environ.get("RELANCE_BENCH_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")


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


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
