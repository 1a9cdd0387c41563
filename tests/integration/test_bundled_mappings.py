"""Each bundled mapping imports its tool's export, as downloaded, end to end.

The fixtures in tests/fixtures/exports are shaped like each tool's own export (title lines,
group rows, totals, line items, encodings, separators). The expected aging figures and open
credits are worked out here straight from the file, with the csv module and each tool's own
rules, never through Relance's import code, and compared with what Relance reports.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import unit_of_work
from bot.domain.aging import bucket_for
from bot.domain.money import Money
from bot.entry.composition import build_runtime
from bot.importing.mapping import available_mappings, load_mapping
from bot.models import Customer, Invoice
from bot.services.ledger.aging_report import aging_report
from bot.services.ledger.importing import import_invoices
from bot.services.page import customer_page

TODAY = date(2026, 11, 26)
EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"

#: One open item: its due date, currency and balance in cents (negative: a credit).
Item = tuple[date, str, int]


def cents(text: str, decimal_mark: str = ".") -> int:
    """Cents from a report's amount: currency signs, spaces and thousands marks removed."""
    kept = "".join(c for c in text if c.isdigit() or c in "-" + decimal_mark)
    return int(Decimal(kept.replace(decimal_mark, ".")) * 100)


def day(text: str, fmt: str) -> date:
    return datetime.strptime(text, fmt).date()


def rows(name: str, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[list[str]]:
    with (EXPORTS / name).open(encoding=encoding, newline="") as stream:
        return list(csv.reader(stream, delimiter=delimiter))


def records(table: list[list[str]], header_has: str) -> Iterator[dict[str, str]]:
    """Rows as dicts under the first line that holds `header_has` (report title lines above)."""
    start = next(i for i, row in enumerate(table) if header_has in row)
    header = table[start]
    for row in table[start + 1 :]:
        if len(row) == len(header):
            yield dict(zip(header, row, strict=True))


def xero() -> list[Item]:
    """Xero's own InvoiceAmountDue; a row without an invoice number (an overpayment) is money
    held for the customer."""
    seen: dict[str, Item] = {}
    for r in records(rows("xero.csv"), "InvoiceNumber"):
        key = r["InvoiceNumber"] or f"{r['ContactName']}/{r['InvoiceDate']}/{r['Total']}"
        if r["Status"] in {"Awaiting Payment", "AUTHORISED"} and key not in seen:
            credit = r["Type"] == "Sales credit note" or not r["InvoiceNumber"]
            due = day(r["DueDate"], "%d/%m/%Y")
            seen[key] = (due, r["Currency"], (-1 if credit else 1) * cents(r["InvoiceAmountDue"]))
    return list(seen.values())


def quickbooks() -> list[Item]:
    return [
        (day(r["Due Date"], "%m/%d/%Y"), "USD", cents(r["Open Balance"]))
        for r in records(rows("quickbooks.csv"), "Num")
        if r["Num"]
    ]


def quickbooks_open_invoices() -> list[Item]:
    return [
        (day(r["Due Date"], "%m/%d/%Y"), "USD", cents(r["Open Balance"]))
        for r in records(rows("quickbooks_open_invoices.csv"), "Num")
        if r[""] == "" and r["Num"]  # invoice lines: not group, total or footer rows
    ]


def stripe() -> list[Item]:
    """Stripe's own Amount Remaining (after any customer balance applied), not Total − paid."""
    items = []
    for r in records(rows("stripe.csv"), "Number"):
        if r["Status"] == "open":
            due = r["Due Date (UTC)"] or r["Date (UTC)"]
            items.append(
                (day(due[:10], "%Y-%m-%d"), r["Currency"].upper(), cents(r["Amount Remaining"]))
            )
    return items


def quickbooks_aging_detail() -> list[Item]:
    """Transactions under the aging rows; payments and credit memos are credits. The header
    is in sentence case (`Due date`, `Open balance`), as current QuickBooks exports write it."""
    return [
        (day(r["Due date"], "%m/%d/%Y"), "USD", cents(r["Open balance"]))
        for r in records(rows("quickbooks_aging_detail.csv"), "Num")
        if r[""] == "" and r["Num"]
    ]


def sage50() -> list[Item]:
    sign = {"SI": 1, "SC": -1, "SA": -1}
    return [
        (day(r["DUE_DATE"], "%d/%m/%Y"), "GBP", sign[r["TYPE"]] * cents(r["OUTSTANDING"]))
        for r in records(rows("sage50.csv", encoding="cp1252"), "TYPE")
        if r["TYPE"] in sign
    ]


def pennylane() -> list[Item]:
    open_statuses = {"À venir", "En retard", "Partiellement payée"}
    return [
        (
            day(r["Date d'échéance"], "%d/%m/%Y"),
            r["Devise"],
            (-1 if r["Type"] == "Avoir" else 1) * cents(r["Reste à payer"], ","),
        )
        for r in records(rows("pennylane.csv", delimiter=";"), "Statut")
        if r["Statut"] in open_statuses
    ]


def fec_ledger_balances() -> dict[str, int]:
    """Each customer's balance on the 411 accounts: debits less credits, every line."""
    balances: Counter[str] = Counter()
    for r in records(rows("fec.txt", encoding="iso-8859-15", delimiter="\t"), "CompteNum"):
        if r["CompteNum"].startswith("411"):
            balances[r["CompAuxNum"]] += cents(r["Debit"], ",") - cents(r["Credit"], ",")
    return dict(balances)


def fec() -> list[Item]:
    """Worked out by hand from fec.txt (due: 30 days after PieceDate), and checked against the
    ledger's own balances below:
    C0012: FA2026-101 and VIR0710 lettered AA, 2,400 each way: settled. Unlettered credit note
    AV2026-009 (120, 1 Oct) and payment VIR1112 (500, 12 Nov) pay the oldest open invoice,
    FA2025-388 (1,800 → 1,180); FA2026-140 stays at 960.
    C0031: FA2026-120 (1,200) lettered BB with the partial payment VIR1020 (800): 400 open;
    FA2026-160 (3,600) untouched.
    """
    items = [
        (date(2026, 1, 14), "EUR", 118000),  # FA2025-388, issued 2025-12-15
        (date(2026, 10, 15), "EUR", 96000),  # FA2026-140
        (date(2026, 10, 31), "EUR", 40000),  # FA2026-120
        (date(2026, 12, 5), "EUR", 360000),  # FA2026-160
    ]
    assert fec_ledger_balances() == {"C0012": 118000 + 96000, "C0031": 40000 + 360000}
    return items


def odoo() -> list[Item]:
    return [
        (day(r["Due Date"], "%Y-%m-%d"), r["Currency"], cents(r["Amount Due Signed"]))
        for r in records(rows("odoo.csv"), "Number")
        if r["Status"] == "Posted"
    ]


EXPECTED: dict[str, tuple[str, Callable[[], list[Item]]]] = {
    "xero": ("xero.csv", xero),
    "quickbooks": ("quickbooks.csv", quickbooks),
    "quickbooks_open_invoices": ("quickbooks_open_invoices.csv", quickbooks_open_invoices),
    "quickbooks_aging_detail": ("quickbooks_aging_detail.csv", quickbooks_aging_detail),
    "stripe": ("stripe.csv", stripe),
    "sage50": ("sage50.csv", sage50),
    "pennylane": ("pennylane.csv", pennylane),
    "fec": ("fec.txt", fec),
    "odoo": ("odoo.csv", odoo),
}


def test_every_bundled_tool_mapping_has_a_fixture() -> None:
    assert set(available_mappings()) - {"relance"} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_bundled_mapping_imports_its_tool_export(engine: Engine, name: str) -> None:
    fixture, expected_items = EXPECTED[name]
    items = expected_items()
    assert (any(b > 0 for _d, _c, b in items) and any(b < 0 for _d, _c, b in items)) or (
        name in {"quickbooks", "stripe", "fec"}  # no credit notes, or all of them applied
    )
    import_invoices(engine, EXPORTS / fixture, load_mapping(name))

    expected_buckets: Counter[tuple[str, str]] = Counter()
    expected_counts: Counter[tuple[str, str]] = Counter()
    expected_credits: Counter[str] = Counter()
    for due, currency, balance in items:
        if balance > 0:
            key = (bucket_for((TODAY - due).days).value, currency)
            expected_buckets[key] += balance
            expected_counts[key] += 1
        elif balance < 0:
            expected_credits[currency] -= balance

    with unit_of_work(engine) as session:
        report = aging_report(session, TODAY)
        customer_ids = [c.id or 0 for c in session.exec(select(Customer))]
    policies = build_runtime(Settings(), engine).governing()
    credits: defaultdict[str, int] = defaultdict(int)
    for customer_id in customer_ids:  # as each customer's page lists them
        for credit in customer_page.load_page(engine, policies, customer_id, TODAY).credits:
            credits[credit.balance.currency] -= credit.balance.minor
    assert {(t.bucket.value, t.currency): t.balance.minor for t in report.totals} == dict(
        expected_buckets
    )
    assert {(t.bucket.value, t.currency): t.invoices for t in report.totals} == dict(
        expected_counts
    )
    assert dict(credits) == dict(expected_credits)


def test_xero_reads_addresses_and_closes_voided_invoices(engine: Engine) -> None:
    import_invoices(engine, EXPORTS / "xero.csv", load_mapping("xero"))
    with unit_of_work(engine) as session:
        customers = {c.name: c for c in session.exec(select(Customer))}
    assert customers["Kingsley Print Works"].address == "12 Mill Lane\nLeeds\nLS1 4AB"
    assert customers["Hofmann & Söhne GmbH"].country == "DE"
    assert customers["Baker Bros Pty"].country == "GB"  # no postal country: the default


def test_sage50_reads_windows_1252(engine: Engine) -> None:
    import_invoices(engine, EXPORTS / "sage50.csv", load_mapping("sage50"))
    with unit_of_work(engine) as session:
        names = set(session.exec(select(Customer.name)))
    assert names == {"Café Brûlé Ltd", "O'Hara & Daughters"}


def test_fec_reads_odoos_own_pipe_separated_output(engine: Engine) -> None:
    """Odoo's FEC (its test's expected file): '|' separators, zero-padded amounts, PieceRef
    '-' standing for none (the entry number is the invoice's), only 411… lines read."""
    report = import_invoices(engine, EXPORTS / "odoo_fec.txt", load_mapping("fec"))
    assert report.lines == 1
    with unit_of_work(engine) as session:
        (invoice,) = session.exec(select(Invoice)).all()
        customer = session.get(Customer, invoice.customer_id)
    assert (invoice.number, invoice.currency, invoice.amount_minor, invoice.paid_minor) == (
        "INV/2021/00001",
        "EUR",
        776045,
        0,
    )
    assert (invoice.issue_date, invoice.due_date) == (date(2021, 5, 2), date(2021, 6, 1))
    assert customer is not None and (customer.external_id, customer.name) == ("7", "partner_a")


def test_xero_reports_where_its_amount_due_differs_and_keeps_overpayments_as_credits(
    engine: Engine,
) -> None:
    report = import_invoices(engine, EXPORTS / "xero.csv", load_mapping("xero"))
    (line,) = map(str, report.disagreements)
    assert "invoice INV-0111: xero says GBP 960.00 is owed" in line
    assert "total GBP 1200.00 less paid GBP 0.00 gives GBP 1200.00" in line
    with unit_of_work(engine) as session:
        invoices = {i.number: i for i in session.exec(select(Invoice))}
        baker = session.exec(select(Customer).where(Customer.name == "Baker Bros Pty")).one()
    assert invoices["INV-0111"].amount_minor - invoices["INV-0111"].paid_minor == 96000
    page = customer_page.load_page(
        engine, build_runtime(Settings(), engine).governing(), baker.id or 0, TODAY
    )
    (credit,) = page.credits
    assert credit.number.startswith("RECEIVE-OVERPAYMENT 2026-11-14 ")
    assert credit.balance == Money(Decimal("-75.00"), "GBP")
    assert credit.number not in [i.number for i in page.invoices]  # listed, never chased
    again = import_invoices(engine, EXPORTS / "xero.csv", load_mapping("xero"))
    assert again.invoices_created == 0  # the credit's number is found again


def test_stripe_owes_its_amount_due_not_the_total(engine: Engine) -> None:
    """Fjord's invoice totals 100.00; a customer balance of 20.00 left 80.00 due."""
    import_invoices(engine, EXPORTS / "stripe.csv", load_mapping("stripe"))
    with unit_of_work(engine) as session:
        invoice = session.exec(select(Invoice).where(Invoice.number == "A77B9C10-0001")).one()
    assert invoice.amount_minor - invoice.paid_minor == 8000


def test_a_voided_credit_note_is_no_credit_on_the_customers_page(
    engine: Engine, tmp_path: Path
) -> None:
    """Odoo's list export: a cancelled credit note must not lower what the page says is owed,
    any more than it does on a reminder or in the aging report."""
    path = tmp_path / "odoo.csv"
    path.write_text(
        '"Number","Partner","Partner/Country","Invoice/Bill Date","Due Date","Currency",'
        '"Total Signed","Amount Due Signed","Status"\n'
        '"INV/2026/0001","Duval SA","France","2026-08-01","2026-08-31","EUR","500.00","500.00",'
        '"Posted"\n'
        '"RINV/2026/0001","Duval SA","France","2026-08-10","2026-08-10","EUR","-100.00",'
        '"-100.00","Cancelled"\n',
        encoding="utf-8",
    )
    import_invoices(engine, path, load_mapping("odoo"))
    runtime = build_runtime(Settings(), engine)
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
    page = customer_page.load_page(engine, runtime.governing(), customer.id or 0, TODAY)
    assert page.credits == []
    assert [t.amount for t in page.totals] == [Decimal("500.00")]
