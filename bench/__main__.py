"""`make bench`: every benchmark in one run, each printing its table (see bench/README.md)."""

from __future__ import annotations

import sys
import time

from bench import (
    clicks_bench,
    digest_bench,
    import_bench,
    inbox_bench,
    morning_bench,
    page_bench,
    suggestions_bench,
)


def main() -> None:
    quick = "--quick" in sys.argv
    start = time.perf_counter()
    import_bench.main([10_000] if quick else [100_000, 1_000_000])
    digest_bench.main()
    suggestions_bench.main()
    clicks_bench.main()
    morning_bench.main([])
    page_bench.main()
    inbox_bench.main(500 if quick else 5_000)
    print(f"\nall benchmarks: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
