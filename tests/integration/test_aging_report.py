"""The aging report's SQL totals agree with the domain's own bucket rules, on both backends."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import unit_of_work
from bot.domain.aging import Bucket, bucket_for, days_overdue
from bot.entry.sample_data import write_sample_invoices
from bot.importing.mapping import load_mapping
from bot.models import Invoice
from bot.services.ledger.aging_report import aging_report
from bot.services.ledger.importing import import_invoices

TODAY = date(2026, 11, 26)


def test_totals_match_the_bucket_rules(engine: Engine, tmp_path: Path) -> None:
    write_sample_invoices(tmp_path / "s.csv", TODAY)
    import_invoices(engine, tmp_path / "s.csv", load_mapping())
    with unit_of_work(engine) as session:
        report = aging_report(session, TODAY, top=3)
        invoices = session.exec(select(Invoice)).all()
    expected: dict[tuple[Bucket, str], int] = defaultdict(int)
    for invoice in invoices:
        if invoice.amount_minor > invoice.paid_minor:
            bucket = bucket_for(days_overdue(invoice.due_date, TODAY))
            expected[bucket, invoice.currency] += invoice.amount_minor - invoice.paid_minor
    assert {(t.bucket, t.currency): t.balance.minor for t in report.totals} == dict(expected)
    assert {t.bucket for t in report.totals} == set(Bucket)  # the demo shows every bucket


def test_top_overdue_is_per_currency_and_largest_first(engine: Engine, tmp_path: Path) -> None:
    write_sample_invoices(tmp_path / "s.csv", TODAY)
    import_invoices(engine, tmp_path / "s.csv", load_mapping())
    with unit_of_work(engine) as session:
        report = aging_report(session, TODAY, top=3)
    by_currency = defaultdict(list)
    for customer in report.top_overdue:
        by_currency[customer.overdue.currency].append(customer.overdue.amount)
    assert set(by_currency) == {"EUR", "GBP", "USD"}
    for amounts in by_currency.values():
        assert len(amounts) == 3 and amounts == sorted(amounts, reverse=True)
