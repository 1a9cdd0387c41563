"""The backup and restore of docs/deployment.md, run as written: `pg_dump --format=custom` of a
live database, `pg_restore` into a new one, and `relance audit verify --checkpoint` with the
checkpoint kept elsewhere says the restored trail is intact — and that a restore from a dump
older than the checkpoint is not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.db import make_engine, upgrade
from bot.importing.mapping import load_mapping
from bot.services.audit import checkpoint as audit_checkpoint
from bot.services.ledger.importing import import_invoices
from tests.support.csvfiles import line, write_csv
from tests.support.own_postgres import OwnPostgres

KEY = "restore-test-key"


def relance(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "RELANCE_AUDIT_KEY": KEY}
    return subprocess.run(
        [sys.executable, "-m", "bot.entry.cli", *args], env=env, capture_output=True, text=True
    )


def tool(server: OwnPostgres, name: str, *args: str) -> None:
    subprocess.run([str(server.bin / name), *args], check=True, capture_output=True)


def test_a_dump_restores_with_its_trail_intact(own_postgres: OwnPostgres, tmp_path: Path) -> None:
    live = own_postgres.url
    os.environ["RELANCE_AUDIT_KEY"] = KEY
    try:
        engine = make_engine(live)
        upgrade(engine)
        first = write_csv(tmp_path / "a.csv", [line(invoice_number="R-1")])
        import_invoices(engine, first, load_mapping(), actor="restore-test")
        old_dump = tmp_path / "old.dump"
        tool(own_postgres, "pg_dump", "--format=custom", f"--file={old_dump}", live)
        more = write_csv(tmp_path / "b.csv", [line(invoice_number="R-2")])
        import_invoices(engine, more, load_mapping(), actor="restore-test")
        checkpoint = tmp_path / "checkpoint.txt"
        checkpoint.write_text(audit_checkpoint.take(engine))
        engine.dispose()
    finally:
        del os.environ["RELANCE_AUDIT_KEY"]

    dump = tmp_path / "nightly.dump"
    tool(own_postgres, "pg_dump", "--format=custom", f"--file={dump}", live)
    base = live.rsplit("/", 1)[0]
    for name, source in (("restored", dump), ("stale", old_dump)):
        tool(
            own_postgres,
            "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(own_postgres.port),
            "-U",
            "postgres",
            name,
        )
        tool(own_postgres, "pg_restore", "--no-owner", f"--dbname={base}/{name}", str(source))

    intact = relance(f"{base}/restored", "audit", "verify", "--checkpoint", str(checkpoint))
    assert intact.returncode == 0, intact.stderr
    assert "intact" in intact.stdout and "consistent with checkpoint" in intact.stdout
    stale = relance(f"{base}/stale", "audit", "verify", "--checkpoint", str(checkpoint))
    assert stale.returncode == 1 and "BROKEN" in stale.stderr
