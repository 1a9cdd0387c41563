"""The morning: the whole job for 20,000 customers (100,000 open invoices) against reading the
same rows; the Slack calls one morning makes for 100, 1,000 and 10,000 suggestions; and how
long an owner's Home worklist takes to build with 1,000 suggestions (p50 / p99).

The morning job is `bot.services.overview.morning.prepare` (the best of three runs, each from the same
ledger, against the best of three reads): settle promises and plans, decide, plan each
suggested reminder's wording (its texts are written when first read), store them with their
invoice lists, owners and audit events, build the digest. Deciding alone is timed beside it.
The Slack calls are counted on the fake Slack API (the count does not depend on the database;
SQLite is used). The Home is built from the
database and rendered to Block Kit JSON, as the app does before `views.publish`.

Usage: python -m bench.morning_bench [--skip-job]
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.databases import OPEN_INVOICES, best_of, fresh, loaded_ledgers, print_table
from bench.suggestions_bench import _read_rows
from bot.config import Settings
from bot.db import make_engine, read_only
from bot.domain.owners import Match, OwnerRule
from bot.domain.worklist import stage_titles
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.services.common.context import Runtime
from bot.services.ledger.importing import import_invoices
from bot.services.overview import morning as mornings
from bot.services.overview.worklists import worklist
from bot.services.reminders.suggestions import todays_decisions
from bot.slack.blocks.worklist import worklist_blocks
from bot.slack.client import make_client
from bot.slack.digest_poster import post_morning
from tests.support.csvfiles import line, write_csv
from tests.support.fake_slack import FakeSlack, Pace

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)  # a Wednesday, 10:00 in Paris
TODAY = NOW.date()
OWNERS = ("UBENCHA", "UBENCHB", "UBENCHC")
RULES = (
    OwnerRule(OWNERS[0], Match(country="FR")),
    OwnerRule(OWNERS[1], Match(currency="GBP")),
    OwnerRule(OWNERS[2], Match(currency="EUR")),
)


def _runtime(
    engine: sa.Engine, rules: tuple[OwnerRule, ...] = RULES, **settings: object
) -> Runtime:
    rt = build_runtime(Settings(**settings), engine, clock=lambda: NOW)
    rt.policy = rt.base_policy = replace(rt.policy, owners=rules)
    return rt


def _forget_the_morning(engine: sa.Engine) -> None:
    """Delete what a morning stored, so the next one starts from the same ledger. The bench
    owns its database: on PostgreSQL it switches the audit trail's append-only trigger off."""
    tables = ("reminder_invoice", "reminder", "audit_event_invoice", "audit_event")
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} CASCADE")  # nothing else yet
            return
        for table in tables:
            conn.exec_driver_sql(f"DELETE FROM {table}")


def morning_job() -> list[list[str]]:
    rows = []
    for backend, engine in loaded_ledgers(OPEN_INVOICES, "morning"):
        rt = _runtime(engine)

        def decide_all(rt: Runtime = rt, engine: sa.Engine = engine) -> int:
            with read_only(engine) as session:
                return len(todays_decisions(session, rt.policy, NOW))

        decide = best_of(3, decide_all)
        read = best_of(3, lambda engine=engine: _read_rows(engine))
        job = float("inf")
        for _ in range(3):  # the best of three, like the read: each from the same ledger
            _forget_the_morning(engine)
            start = time.perf_counter()
            done = mornings.prepare(rt, NOW, "CBENCH")
            job = min(job, time.perf_counter() - start)
        rows.append(
            [
                backend,
                f"{read:.2f} s",
                f"{decide:.2f} s",
                f"{decide / read:.1f}×",
                f"{len(done.created):,}",
                f"{job:.1f} s",
                f"{job / read:.1f}×",
            ]
        )
    print_table(
        f"Morning job ({OPEN_INVOICES:,} open invoices, 20,000 customers)",
        ["database", "read rows", "decide", "ratio", "suggested", "whole job", "ratio"],
        rows,
    )
    return rows


def _late_customers(folder: Path, count: int, owned_by: tuple[str, ...], unowned: int) -> Path:
    """`count` late customers (one invoice each); every `unowned`-th has no owner column set."""
    due = (TODAY - timedelta(days=20)).isoformat()
    issued = (TODAY - timedelta(days=50)).isoformat()
    rows = [
        line(
            customer_id=f"S{n:06d}",
            customer_name=f"Bench {n:06d}",
            invoice_number=f"S-{n:06d}",
            amount=f"{100 + n % 5000}",
            due_date=due,
            issue_date=issued,
            owner="" if unowned and n % unowned == 0 else owned_by[n % len(owned_by)],
        )
        for n in range(count)
    ]
    return write_csv(folder / f"late-{count}.csv", rows, header=[*line().keys(), "owner"])


def slack_calls() -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in (100, 1_000, 10_000):
            fake = FakeSlack(pace=Pace(speed=1e6, burst=10**9))  # the rules, not the pace
            engine = make_engine(fresh("sqlite", f"calls{count}"))
            import_invoices(
                engine, _late_customers(Path(tmp), count, OWNERS, unowned=10), load_mapping()
            )
            rt = _runtime(  # owners from the import only: one customer in ten is nobody's
                engine, (), slack_bot_token="xoxb-bench", slack_api_url=fake.api_url
            )
            claimed = mornings.claim(rt, NOW, "bench", "CBENCH")
            assert claimed is not None
            post_morning(rt, make_client(rt.settings), claimed)
            posts = fake.calls_to("chat.postMessage")
            rows.append(
                [
                    f"{len(claimed.created):,}",
                    f"{len(posts):,}",
                    f"{sum(1 for p in posts if p.args.get('channel') == 'CBENCH'):,}",
                    f"{sum(1 for p in posts if p.args.get('channel') in OWNERS):,}",
                    f"{len(fake.calls):,}",
                    f"{1 + len(claimed.created):,}",
                ]
            )
            fake.close()
            engine.dispose()
            assert not fake.violations, [str(v) for v in fake.violations]
    print_table(
        "Slack calls per morning (page size 20, three owners, one customer in ten unowned)",
        ["suggestions", "messages", "to the channel", "to owners", "all API calls", "before"],
        rows,
    )
    return rows


def home_render(samples: int = 200) -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = _late_customers(Path(tmp), 1_000, (OWNERS[0],), unowned=0)
        for backend in ("sqlite", "postgresql"):
            engine = make_engine(fresh(backend, "home"))
            import_invoices(engine, csv_path, load_mapping())
            rt = _runtime(engine)
            mornings.prepare(rt, NOW, "CBENCH")
            stages = [s.name for s in rt.policy.stages]
            titles = stage_titles(*rt.policies())
            timings = []
            for n in range(samples):
                start = time.perf_counter()
                page = worklist(engine, TODAY, OWNERS[0], stages, page=n % 20)
                json.dumps({"type": "home", "blocks": worklist_blocks(page, "en_GB", titles)})
                timings.append(time.perf_counter() - start)
            timings.sort()
            p99 = timings[min(len(timings) - 1, round(0.99 * len(timings)) - 1)]
            rows.append(
                [
                    backend,
                    f"{page.total:,}",
                    f"{samples}",
                    f"{statistics.median(timings) * 1000:.1f} ms",
                    f"{p99 * 1000:.1f} ms",
                ]
            )
            engine.dispose()
    print_table(
        "Home worklist (an owner with 1,000 suggestions, pages of 50, built and rendered)",
        ["database", "worklist", "renders", "p50", "p99"],
        rows,
    )
    return rows


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    logging.getLogger("bot.entry.composition").setLevel(
        logging.ERROR
    )  # stale-rate notices: not results
    logging.getLogger("bot.slack").setLevel(logging.ERROR)
    if "--skip-job" not in argv:
        morning_job()
    slack_calls()
    home_render()


if __name__ == "__main__":
    main()
