"""The morning as one service, on SQLite and PostgreSQL: a dry run stores nothing, a real one
suggests once, and only one instance holds the day's post."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.config import PROJECT_ROOT, Settings
from bot.db import read_only
from bot.domain.escalation import Suggestion
from bot.domain.policy import PolicyError
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, DigestRun, Promise, Reminder
from bot.services.common.context import Runtime
from bot.services.ledger.importing import import_invoices
from bot.services.overview import morning as mornings
from tests.support.csvfiles import line, write_csv

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)  # a Wednesday, 10:00 in Paris
TODAY = date(2026, 11, 25)


@pytest.fixture
def runtime(engine: Engine, tmp_path: Path) -> Runtime:
    def due(days_late: int) -> str:
        return (TODAY - timedelta(days=days_late)).isoformat()

    rows = [
        line(customer_id="A", invoice_number="A-1", due_date=due(20), issue_date=due(50)),
        line(
            customer_id="B",
            customer_name="Bee",
            invoice_number="B-1",
            due_date=due(40),
            issue_date=due(70),
            currency="GBP",
        ),
    ]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows), load_mapping())
    return build_runtime(Settings(digest_channel="CDIGEST"), engine, clock=lambda: NOW)


def _counts(engine: Engine) -> tuple[int, ...]:
    with read_only(engine) as session:
        return tuple(
            session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (Reminder, AuditEvent, DigestRun, Promise)
        )


def test_a_dry_run_stores_nothing_and_says_what_would_be_suggested(runtime: Runtime) -> None:
    before = _counts(runtime.engine)
    preview = mornings.prepare(runtime, NOW, "CDIGEST", dry_run=True)
    assert preview.dry_run and preview.created == []
    assert _counts(runtime.engine) == before
    assert preview.digest.awaiting == {"friendly": 2}

    real = mornings.prepare(runtime, NOW, "CDIGEST")
    assert len(real.created) == 2 and real.digest.awaiting == preview.digest.awaiting
    assert {r.customer_id for r in real.created} == {
        d.customer.id for d in preview.decisions if isinstance(d.decision, Suggestion)
    }


def test_only_one_instance_claims_the_morning(runtime: Runtime) -> None:
    first = mornings.claim(runtime, NOW, "one", "CDIGEST")
    assert first is not None and first.claim_id is not None and len(first.created) == 2
    assert mornings.claim(runtime, NOW, "two", "CDIGEST") is None
    mornings.posted(runtime, first, "111.222")
    assert mornings.claim(runtime, NOW, "two", "CDIGEST", when_due=False) is None
    with pytest.raises(ValueError):
        mornings.posted(runtime, mornings.prepare(runtime, NOW, "CDIGEST"), "333.444")


def test_not_due_before_the_digest_time(runtime: Runtime) -> None:
    early = NOW - timedelta(hours=2)  # 08:00 in Paris, before the 09:00 digest
    assert mornings.claim(runtime, early, "one", "CDIGEST") is None
    assert _counts(runtime.engine)[0] == 0


def test_a_policy_auto_approving_final_notices_is_refused_at_start_up(tmp_path: Path) -> None:
    bundled = (PROJECT_ROOT / "bot" / "policy.toml").read_text(encoding="utf-8")
    risky = bundled.replace(
        'name = "final"                 # consequences',
        'name = "final"\nauto_approve = { at = "11:00" }  # consequences',
    )
    assert risky != bundled
    path = tmp_path / "policy.toml"
    path.write_text(risky, encoding="utf-8")
    with pytest.raises(PolicyError, match="stage final may not be approved automatically"):
        build_runtime(Settings(policy_file=path))
