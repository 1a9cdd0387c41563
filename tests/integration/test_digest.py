"""The daily digest's figures and its message: what changed, promises, failures, limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import unit_of_work
from bot.domain.aging import Bucket
from bot.domain.money import Money
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import Customer, DigestRun, Invoice, Outbox, Promise, Reminder, ReminderInvoice
from bot.services.ledger.aging_report import AgingReport, BucketTotal, OverdueCustomer
from bot.services.ledger.importing import import_invoices
from bot.services.overview import digest as digests
from bot.services.overview.morning import due as digest_due
from bot.slack.blocks.digest import digest_blocks
from tests.support.blockkit import check_message
from tests.support.csvfiles import line, write_csv

TODAY = date(2026, 11, 25)


def test_digest_figures(engine: Engine, tmp_path: Path) -> None:
    def due(days: int) -> str:
        return (TODAY - timedelta(days=days)).isoformat()

    import_invoices(
        engine,
        write_csv(
            tmp_path / "l.csv",
            [
                line(customer_id="A", invoice_number="A-1", due_date=due(20), issue_date=due(50)),
                line(
                    customer_id="A",
                    invoice_number="A-2",
                    due_date=due(10),
                    issue_date=due(40),
                    amount="100",
                ),
                line(
                    customer_id="B",
                    customer_name="Bee",
                    invoice_number="B-1",
                    due_date=due(40),
                    issue_date=due(70),
                    amount="50",
                ),
            ],
        ),
        load_mapping(),
    )
    with unit_of_work(engine) as session:
        invoices = {i.number: i for i in session.exec(select(Invoice))}
        a = session.exec(select(Customer).where(Customer.external_id == "A")).one()
        session.add(
            Promise(
                invoice_id=invoices["A-1"].id,
                promised_date=TODAY,
                amount_minor=50000,
                created_by="U1",
            )
        )
        session.add(
            Promise(
                invoice_id=invoices["B-1"].id,
                promised_date=TODAY - timedelta(5),
                created_by="U1",
                state="broken",
            )
        )
        session.add(
            DigestRun(
                run_date=TODAY - timedelta(days=1),
                channel="C1",
                claimed_by="x",
                posted_at=datetime(2026, 11, 24, 8, tzinfo=UTC),
                totals=json.dumps({"EUR": 100000}),
            )
        )
        failed = Reminder(
            customer_id=a.id,
            run_date=TODAY - timedelta(1),
            stage="friendly",
            channel="email",
            language="fr",
            invoices=ReminderInvoice.listing(["A-1"]),
            state="approved",
        )
        session.add(failed)
        session.add(
            Reminder(
                customer_id=a.id,
                run_date=TODAY,
                stage="firm",
                channel="email",
                language="fr",
                invoices=ReminderInvoice.listing(["A-1", "A-2"]),
            )
        )
        session.flush()
        session.add(
            Outbox(
                reminder_id=failed.id,
                channel="email",
                state="failed",
                attempts=5,
                last_error="550 mailbox unavailable",
            )
        )

    d = digests.build_digest(engine, TODAY, "C1")
    assert d.overdue == {"EUR": Money(Decimal("1384.56"), "EUR")}
    assert d.previous == {"EUR": Money(Decimal("1000.00"), "EUR")}
    assert [p.invoice for p in d.promises_due] == ["A-1"]
    assert d.promises_due[0].amount == Money(Decimal("500.00"), "EUR")
    assert [p.invoice for p in d.promises_broken] == ["B-1"]
    assert [(f.customer, f.error) for f in d.failed] == [
        ("Atelier Lefèvre", "550 mailbox unavailable")
    ]
    assert d.awaiting == {"firm": 1}

    blocks = digest_blocks(d, "en_GB")
    check_message(blocks)
    text = json.dumps(blocks, ensure_ascii=False)
    assert "▲ €384.56 since the last digest" in text
    assert "Promises due today" in text and "Broken promises" in text
    assert "550 mailbox unavailable" in text
    assert "Approve all 1 · Firm" in text  # built here without a policy: the key, capitalised


def test_a_huge_digest_stays_within_slacks_limits() -> None:
    many = [
        OverdueCustomer(
            n,
            f"<Customer {n}> " + "x" * 150,
            "FR",
            3,
            Money(Decimal(n), "EUR"),
            TODAY - timedelta(days=n),
        )
        for n in range(1, 400)
    ]
    currencies = ("EUR", "GBP", "USD", "CHF", "JPY", "SEK", "DKK", "PLN")
    totals = [BucketTotal(b, c, 10, Money(Decimal("10"), c)) for b in Bucket for c in currencies]
    promise = digests.PromiseLine("P" * 300, "INV", TODAY, None, Money(Decimal(1), "EUR"))
    d = digests.Digest(
        run_date=TODAY,
        aging=AgingReport(TODAY, totals, many),
        overdue={c: Money(Decimal(1), c) for c in currencies},
        previous=None,
        promises_due=[promise] * 300,
        promises_broken=[promise] * 300,
        failed=[digests.FailedSend(n, "F" * 200, "firm", "E" * 500) for n in range(300)],
        awaiting={f"stage{n}": n for n in range(1, 40)},
    )
    blocks = digest_blocks(d)
    check_message(blocks)
    assert "&lt;Customer 1&gt;" in json.dumps(blocks)


def test_digest_time_is_a_business_day_at_the_configured_local_time() -> None:
    runtime = build_runtime(Settings(digest_time="09:00", timezone="Europe/Paris", country="FR"))
    wednesday_0759_utc = datetime(2026, 11, 25, 7, 59, tzinfo=UTC)  # 08:59 in Paris
    assert digest_due(wednesday_0759_utc, runtime) is None
    assert digest_due(wednesday_0759_utc + timedelta(minutes=1), runtime) == TODAY
    assert digest_due(datetime(2026, 11, 28, 12, tzinfo=UTC), runtime) is None  # Saturday
    assert digest_due(datetime(2026, 12, 25, 12, tzinfo=UTC), runtime) is None  # Christmas
    runtime.engine.dispose()


def test_a_posted_digest_keeps_its_totals_per_bucket_for_the_next(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [
        line(customer_id="A", invoice_number="A-1", due_date="2026-11-05", amount="300"),
        line(customer_id="A", invoice_number="A-2", due_date="2026-10-01", amount="50"),
    ]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows), load_mapping())
    first = digests.build_digest(engine, TODAY, "C1")
    run = digests.claim(engine, TODAY, "C1", "one")
    digests.mark_posted(engine, run.id, "1.1", first)

    later = digests.build_digest(engine, TODAY + timedelta(days=1), "C1")
    assert later.previous == {"EUR": Money(Decimal("350.00"), "EUR")}
    assert later.previous_buckets == {
        "EUR": {
            Bucket.DAYS_1_30: Money(Decimal(300), "EUR"),
            Bucket.DAYS_31_60: Money(Decimal(50), "EUR"),
        }
    }


def test_the_monday_digest_names_each_rate_table_a_week_past_a_fixing_it_does_not_reach(
    engine: Engine,
) -> None:
    from bot.rate_files import load_law_book, load_reference_rates

    laws = load_law_book(load_reference_rates())  # bundled: Bank Rate known to 2026-06-18
    monday, tuesday = date(2026, 7, 13), date(2026, 7, 14)
    stale = digests.build_digest(engine, monday, "C1", laws=laws).stale_rates
    assert [t.key for t in stale] == ["AT-BASIS", "BoE", "DE-BASIS", "ECB"]
    assert digests.build_digest(engine, tuesday, "C1", laws=laws).stale_rates == []
    blocks = digest_blocks(digests.build_digest(engine, monday, "C1", laws=laws))
    check_message(blocks)
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "*Rate tables out of date* — run `relance rates update`" in shown
    assert "Bank of England Bank Rate: known to 18 Jun 2026; the rate of 30 Jun 2026 is not" in (
        shown
    )
