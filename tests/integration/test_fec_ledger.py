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
from bot.entry.composition import build_runtime, next_business_morning
from bot.importing.mapping import load_mapping
from bot.models import Customer, Invoice
from bot.services.ledger.aging_report import aging_report
from bot.services.ledger.importing import import_invoices
from bot.services.overview import digest as digests
from bot.services.page import customer_page
from bot.services.reminders.suggestions import suggest
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
        # the page asks for what is due now (the reminder's figure); the rest is coming due
        assert page.totals == [Money(overdue, "EUR")] and page.credits == []
        assert sum((i.balance.amount for i in page.invoices), Decimal(0)) == balance[name]
        late = sum((i.balance.amount for i in page.invoices if i.days_late > 0), Decimal(0))
        assert late == overdue


HEADER = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|"
    "PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|"
    "Idevise"
)


def fec_line(aux: str, name: str, piece: str, day: str, debit: str, credit: str, let: str) -> str:
    return (
        f"VE|Ventes|{piece}|{day}|411000|Clients|{aux}|{name}|{piece}|{day}|{piece}|{debit}|"
        f"{credit}|{let}||{day}||"
    )


def test_one_bank_statement_paying_two_customers_imports_and_reimports(
    engine: Engine, tmp_path: Path
) -> None:
    """A bank statement booked as one piece pays two customers (a common French FEC); one
    transfer letters two invoices under two codes. Imported twice, nothing is created again."""
    path = tmp_path / "FEC.txt"
    path.write_bytes(
        "\r\n".join(
            [
                HEADER,
                fec_line("C1", "Hôtel Dupré", "F1", "20260901", "1000,00", "0,00", "AA"),
                fec_line("C1", "Hôtel Dupré", "F2", "20260902", "500,00", "0,00", "AB"),
                fec_line("C2", "Bâtiment Roux", "F3", "20260903", "300,00", "0,00", ""),
                fec_line("C1", "Hôtel Dupré", "RELEVE-9", "20260930", "0,00", "1000,00", "AA"),
                fec_line("C1", "Hôtel Dupré", "RELEVE-9", "20260930", "0,00", "300,00", "AB"),
                fec_line("C2", "Bâtiment Roux", "RELEVE-9", "20260930", "0,00", "120,00", ""),
            ]
        ).encode("iso-8859-15")
    )
    first = import_invoices(engine, path, load_mapping("fec"))
    again = import_invoices(engine, path, load_mapping("fec"))
    assert (first.invoices_created, again.invoices_created, again.invoices_updated) == (5, 0, 0)
    with unit_of_work(engine) as session:
        balances = {i.number: i.amount_minor - i.paid_minor for i in session.exec(select(Invoice))}
    assert balances == {
        "F1": 0,
        "F2": 20000,
        "F3": 18000,
        "RELEVE-9 / C1": 0,
        "RELEVE-9 / C2": 0,
    }
