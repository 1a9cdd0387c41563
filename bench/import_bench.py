"""Import: Relance's validated, all-or-nothing import against a bare `csv` + `executemany`.

Each run happens in a child process of its own, so its peak memory is its own.
Usage: python -m bench.import_bench [LINES ...]   (default: 100000 1000000)
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.databases import fresh, print_table
from bot.db import make_engine
from bot.entry.sample_data import HEADER
from bot.importing.mapping import load_mapping
from bot.services.ledger.importing import import_invoices

COUNTRIES = [
    ("FR", "fr", "Europe/Paris", "EUR"),
    ("DE", "de", "Europe/Berlin", "EUR"),
    ("GB", "en", "Europe/London", "GBP"),
    ("US", "en", "America/New_York", "USD"),
    ("ES", "es", "Europe/Madrid", "EUR"),
    ("BE", "fr", "Europe/Brussels", "EUR"),
]


def generate(path: Path, lines: int, seed: int = 7) -> None:
    """A deterministic ledger for 20,000 customers (a mid-size company), around 2026-11-26."""
    rng = random.Random(seed)
    today = date(2026, 11, 26)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(lines):
            c = n % 20_000
            country, language, zone, currency = COUNTRIES[c % len(COUNTRIES)]
            due = today - timedelta(days=rng.randint(-40, 200))
            amount = rng.randint(1_000, 2_000_000)
            paid = 0 if rng.random() < 0.7 else amount // 2
            writer.writerow(
                [
                    f"K{c:07d}",
                    f"Customer {c} Ltd",
                    f"Contact {c}",
                    "",  # salutation
                    f"ap{c}@customer{c}.example",
                    "+33 1 00 00 00 00",
                    language,
                    country,
                    zone,
                    "",
                    f"{c} Main Street\nTown",
                    f"B-{n:08d}",
                    currency,
                    f"{amount // 100}.{amount % 100:02d}",
                    f"{paid // 100}.{paid % 100:02d}",
                    (due - timedelta(days=30)).isoformat(),
                    due.isoformat(),
                    f"https://pay.example.com/B-{n:08d}",
                ]
            )


def _relance(url: str, path: Path) -> None:
    import_invoices(make_engine(url), path, load_mapping("relance"))


def _baseline(url: str, path: Path) -> None:
    """No validation, no upsert: read the rows and hand them to the driver, one transaction."""
    engine = make_engine(url)
    columns = ", ".join(f"{h} TEXT" for h in HEADER)
    placeholders = ", ".join("?" if engine.dialect.name == "sqlite" else "%s" for _ in HEADER)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"CREATE TABLE baseline_rows ({columns})")
        with path.open(encoding="utf-8", newline="") as source:
            reader = csv.reader(source)
            next(reader)
            cursor.executemany(f"INSERT INTO baseline_rows VALUES ({placeholders})", reader)
        raw.commit()
    finally:
        raw.close()


def child(kind: str, url: str, path: str) -> None:
    """One timed run; the modules both sides use are imported before the clock starts."""
    start = time.perf_counter()
    (_relance if kind == "relance" else _baseline)(url, Path(path))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb()}))


def peak_mb() -> float:
    """This process's peak resident memory since it started (Linux's VmHWM).

    Not `ru_maxrss`: Linux carries that over from the parent across fork and exec, so every
    child would show at least the benchmark's own size. VmHWM belongs to the new program.
    """
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:", 1)[1].split()[0]) / 1024


def measure(kind: str, backend: str, path: Path, name: str) -> dict[str, float]:
    url = fresh(backend, name)
    out = subprocess.run(
        [sys.executable, "-m", "bench.import_bench", "--child", kind, url, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int]) -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for lines in sizes:
            path = Path(tmp) / f"ledger-{lines}.csv"
            generate(path, lines)
            for backend in ("sqlite", "postgresql"):
                ours = measure("relance", backend, path, "import_relance")
                base = measure("baseline", backend, path, "import_baseline")
                rows.append(
                    [
                        f"{lines:,}",
                        backend,
                        f"{ours['seconds']:.1f} s",
                        f"{base['seconds']:.1f} s",
                        f"{ours['seconds'] / base['seconds']:.2f}×",
                        f"{ours['peak_mb']:.0f} MB",
                        f"{base['peak_mb']:.0f} MB",
                        f"{lines / ours['seconds']:,.0f}/s",
                    ]
                )
    print_table(
        "Import (CSV → database, one transaction)",
        [
            "lines",
            "database",
            "relance",
            "baseline",
            "ratio",
            "peak relance",
            "peak baseline",
            "relance rate",
        ],
        rows,
    )
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:5])
    else:
        main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
