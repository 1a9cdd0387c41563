"""A FEC read as the ledger it is: what a customer owes is one figure, whichever part of Relance
shows it — the aging report, the digest, the reminder and the customer's page.

The file (tests/fixtures/exports/fec.txt, ISO 8859-15, tab-separated) holds a fully lettered
invoice, a partly lettered one (FA2026-120: 1,200 less 800, lettered BB), an unlettered credit
note and an unlettered payment on account (120 and 500, against Dupont's oldest invoice). The
figures expected here are the ledger's own balances, read with the csv module.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import unit_of_work
from bot.domain.money import Money
from bot.importing.mapping import load_mapping
from bot.models import Customer
from bot.runtime import build_runtime, next_business_morning
from bot.services import customer_page
from bot.services import digest as digests
from bot.services.aging_report import aging_report
from bot.services.importing import import_invoices
from bot.services.suggestions import suggest
from tests.support.drafts import written

FEC = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "fec.txt"


def by_the_ledger(today: date) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Each customer's balance and overdue balance straight from the file: the 411 balance,
    and that less what is not yet due (unlettered invoices dated within the last 30 days, the
    FEC's default term)."""
    balance: dict[str, Decimal] = {}
    not_due: dict[str, Decimal] = {}
    with FEC.open(encoding="iso-8859-15", newline="") as stream:
        for r in csv.DictReader(stream, delimiter="\t"):
            if not r["CompteNum"].startswith("411"):
                continue
            name = r["CompAuxLib"]
            amount = Decimal(r["Debit"].replace(",", ".")) - Decimal(r["Credit"].replace(",", "."))
            balance[name] = balance.get(name, Decimal(0)) + amount
            issued = date.fromisoformat(
                f"{r['PieceDate'][:4]}-{r['PieceDate'][4:6]}-{r['PieceDate'][6:]}"
            )
            if amount > 0 and issued + timedelta(days=30) >= today and not r["EcritureLet"]:
                not_due[name] = not_due.get(name, Decimal(0)) + amount
    return balance, {n: b - not_due.get(n, Decimal(0)) for n, b in balance.items()}


def test_aging_digest_reminder_and_page_give_the_ledgers_figure(engine: Engine) -> None:
    now = next_business_morning(date(2026, 11, 25), Settings())
    today = now.date()
    import_invoices(engine, FEC, load_mapping("fec"))
    balance, expected = by_the_ledger(today)
    assert expected == {"Dupont Frères SA": Decimal("2140"), "Éts Garnier & Cie": Decimal("400")}

    with unit_of_work(engine) as session:
        aging = aging_report(session, today, top=10)
        ids = {c.name: c.id or 0 for c in session.exec(select(Customer))}
    assert {c.name: c.overdue.amount for c in aging.top_overdue} == expected
    assert aging.total("EUR", overdue_only=True).amount == sum(expected.values())
    digest = digests.build_digest(engine, today, "C1")
    assert digest.overdue == {"EUR": Money(sum(expected.values(), Decimal(0)), "EUR")}

    runtime = build_runtime(Settings(), engine, clock=lambda: now)
    reminders = written(
        runtime, suggest(engine, runtime.policy, runtime.composer, now, today).created
    )
    by_customer = {r.customer_id: r for r in reminders}
    assert "Total dû : 2\u202f140,00\u00a0€" in by_customer[ids["Dupont Frères SA"]].body_text
    for name, overdue in expected.items():
        assert Money(overdue, "EUR").format("fr") in by_customer[ids[name]].body_text
        page = customer_page.load_page(engine, runtime.governing(), ids[name], today)
        assert page.totals == [Money(balance[name], "EUR")] and page.credits == []
        late = sum((i.balance.amount for i in page.invoices if i.days_late > 0), Decimal(0))
        assert late == overdue
