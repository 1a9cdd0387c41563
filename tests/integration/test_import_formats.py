"""The mapping format reads real report layouts: title lines, group rows, totals, line items,
statuses and addresses, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import unit_of_work
from bot.importing.mapping import Mapping, MappingError, load_mapping
from bot.models import AuditEvent, Customer, Invoice
from bot.services.credits import net_balances, open_credits
from bot.services.importing import ImportFailed, import_invoices
from bot.services.lookup import open_invoices

REPORT_MAPPING = """
name = "report"
date_formats = ["%m/%d/%Y"]
decimal_separator = "."
[header]
find = ["Num", "Due Date"]
[groups]
position = 1
[[drop]]
position = 1
starts_with = "Total for "
[[drop]]
position = 1
equals = "TOTAL"
[columns]
customer_id = "@group"
customer_name = "@group"
invoice_number = "Num"
amount = "Amount"
balance = "Open Balance"
issue_date = "Date"
due_date = "Due Date"
[defaults]
currency = "USD"
country = "US"
"""

REPORT = """\
Craig's Design and Landscaping
Open Invoices
"As of November 26, 2026"

,Date,Num,Due Date,Amount,Open Balance
Amy's Bird Sanctuary,,,,,
,09/15/2026,1021,10/15/2026,459.00,239.00
,10/01/2026,1030,10/31/2026,"1,200.00","1,200.00"
"Total for Amy's Bird Sanctuary",,,,,"$1,439.00"

"Bill's Windsurf Shop",,,,,
,10/20/2026,1042,11/19/2026,85.00,85.00
Total for Bill's Windsurf Shop,,,,,$85.00

TOTAL,,,,,"$1,524.00"
"""


def mapping_file(tmp_path: Path, text: str) -> Mapping:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(str(path))


def test_a_report_with_titles_groups_and_totals_imports(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(REPORT, encoding="utf-8")
    report = import_invoices(engine, path, mapping_file(tmp_path, REPORT_MAPPING))
    assert (report.invoices_created, report.customers_created) == (3, 2)
    with unit_of_work(engine) as session:
        owners = {
            i.number: (c.name, i.balance)
            for i, c in session.exec(select(Invoice, Customer).join(Customer))
        }
    assert {n: (name, str(b)) for n, (name, b) in owners.items()} == {
        "1021": ("Amy's Bird Sanctuary", "239.00"),
        "1030": ("Amy's Bird Sanctuary", "1200.00"),
        "1042": ("Bill's Windsurf Shop", "85.00"),
    }


def test_a_line_before_any_group_row_is_named(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(",Date,Num,Due Date,Amount,Open Balance\n,09/15/2026,1,10/15/2026,9,9\n")
    with pytest.raises(ImportFailed, match="line 2: comes before any customer group row"):
        import_invoices(engine, path, mapping_file(tmp_path, REPORT_MAPPING))


def test_a_missing_header_is_named(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("Open Invoices\nDate,Number\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="no header line with the columns Due Date, Num"):
        import_invoices(engine, path, mapping_file(tmp_path, REPORT_MAPPING))


LINE_ITEMS_MAPPING = """
name = "items"
decimal_separator = "."
[line_items]
per_invoice = true
sum = ["amount"]
[columns]
customer_id = "Customer"
customer_name = "Customer"
address = ["Street", "City", "Country"]
invoice_number = "Invoice"
amount = "Line total"
amount_paid = "Paid"
issue_date = "Date"
due_date = "Due"
status = "State"
[statuses]
open = ["posted"]
paid = ["paid"]
void = ["cancelled"]
written_off = ["bad debt"]
[defaults]
currency = "EUR"
country = "FR"
"""
ITEMS_HEADER = "Customer,Street,City,Country,Invoice,Line total,Paid,Date,Due,State\n"


def test_line_items_are_summed_into_one_invoice(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        ITEMS_HEADER
        + "Duval SA,1 rue Haute,Lyon,,INV-1,100.00,30.00,2026-09-01,2026-10-01,posted\n"
        "Duval SA,1 rue Haute,Lyon,,INV-1,20.50,30.00,2026-09-01,2026-10-01,posted\n"
        "Duval SA,1 rue Haute,Lyon,,INV-2,10.00,0,2026-09-05,2026-10-05,posted\n",
        encoding="utf-8",
    )
    report = import_invoices(engine, path, mapping_file(tmp_path, LINE_ITEMS_MAPPING))
    assert (report.lines, report.invoices_created) == (3, 2)
    with unit_of_work(engine) as session:
        invoices = {i.number: i for i in session.exec(select(Invoice))}
        customer = session.exec(select(Customer)).one()
    assert (invoices["INV-1"].amount_minor, invoices["INV-1"].paid_minor) == (12050, 3000)
    assert invoices["INV-2"].amount_minor == 1000
    assert customer.address == "1 rue Haute\nLyon"


def test_line_items_that_disagree_name_both_lines(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        ITEMS_HEADER + "Duval SA,,,,INV-1,100.00,0,2026-09-01,2026-10-01,posted\n"
        "Duval SA,,,,INV-2,5.00,0,2026-09-01,2026-10-01,posted\n"
        "Duval SA,,,,INV-1,20.50,0,2026-09-01,2026-10-09,posted\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failed:
        import_invoices(engine, path, mapping_file(tmp_path, LINE_ITEMS_MAPPING))
    assert str(failed.value.errors[0]) == (
        "line 4, column 'Due': invoice 'INV-1' has another due_date on line 2"
    )


def test_void_and_written_off_invoices_are_closed_and_audited(
    engine: Engine, tmp_path: Path
) -> None:
    mapping = mapping_file(tmp_path, LINE_ITEMS_MAPPING)
    rows = [
        "Duval SA,,,,INV-1,100.00,0,2026-09-01,2026-10-01,posted",
        "Duval SA,,,,INV-2,50.00,0,2026-09-01,2026-10-01,posted",
        "Duval SA,,,,INV-3,70.00,0,2026-09-01,2026-10-01,posted",
    ]
    first = tmp_path / "a.csv"
    first.write_text(ITEMS_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    import_invoices(engine, first, mapping)
    rows[0] = rows[0].replace("posted", "cancelled")
    rows[1] = rows[1].replace("posted", "Bad Debt")
    rows[2] = rows[2].replace("posted", "paid")
    second = tmp_path / "b.csv"
    second.write_text(ITEMS_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    import_invoices(engine, second, mapping)
    import_invoices(engine, second, mapping)  # nothing new to record the second time
    with unit_of_work(engine) as session:
        statuses = {i.number: (i.status, i.paid_minor) for i in session.exec(select(Invoice))}
        customer = session.exec(select(Customer)).one()
        still_open = open_invoices(session, customer.id or 0)
        closed = session.exec(select(AuditEvent).where(AuditEvent.kind == "invoice_closed")).all()
    assert statuses == {
        "INV-1": ("void", 0),
        "INV-2": ("written_off", 0),
        "INV-3": ("paid", 7000),
    }
    assert still_open == []
    assert [(e.invoice_numbers, json.loads(e.content)["status"]) for e in closed] == [
        ("INV-1", "void"),
        ("INV-2", "written_off"),
    ]


def test_an_unknown_status_is_named(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        ITEMS_HEADER + "Duval SA,,,,INV-1,100.00,0,2026-09-01,2026-10-01,draft\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed, match="line 2, column 'State': 'draft' is not a status"):
        import_invoices(engine, path, mapping_file(tmp_path, LINE_ITEMS_MAPPING))


def test_a_mapping_with_a_status_column_must_say_what_statuses_mean(tmp_path: Path) -> None:
    text = LINE_ITEMS_MAPPING.split("[statuses]")[0] + '[defaults]\ncurrency = "EUR"\ncountry="FR"'
    with pytest.raises(MappingError, match="a status column needs"):
        mapping_file(tmp_path, text)


CREDIT_MAPPING = """
name = "credits"
decimal_separator = "."
[columns]
customer_id = "Customer"
customer_name = "Customer"
invoice_number = "Number"
document_type = "Type"
amount = "Total"
balance = "Due"
issue_date = "Date"
due_date = "Due date"
[document_types]
credit_note = ["Credit Note"]
[defaults]
currency = "EUR"
country = "FR"
"""


def test_credit_notes_reduce_the_balance_and_are_never_chased(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "credits.csv"
    path.write_text(
        "Customer,Number,Type,Total,Due,Date,Due date\n"
        "Duval SA,INV-1,Invoice,500.00,500.00,2026-08-01,2026-09-01\n"
        "Duval SA,CN-1,Credit Note,120.00,120.00,2026-09-10,2026-09-10\n"  # by its type
        "Duval SA,CN-2,Invoice,-30.00,-10.00,2026-09-12,2026-09-12\n"  # by its sign, partly used
        "Duval SA,CN-3,Credit Note,40.00,0,2026-09-15,2026-09-15\n",  # fully applied
        encoding="utf-8",
    )
    import_invoices(engine, path, mapping_file(tmp_path, CREDIT_MAPPING))
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
        chased = [i.number for i in open_invoices(session, customer.id or 0)]
        credits = open_credits(session, customer.id or 0)
        balances = net_balances(session, customer.id or 0)
    assert chased == ["INV-1"]
    assert [(c.number, str(c.remaining.amount)) for c in credits] == [
        ("CN-1", "120.00"),
        ("CN-2", "10.00"),
    ]
    assert str(balances["EUR"].amount) == "370.00"


def test_a_credit_note_applied_beyond_its_amount_is_named(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "credits.csv"
    path.write_text(
        "Customer,Number,Type,Total,Due,Date,Due date\n"
        "Duval SA,CN-1,Credit Note,120.00,-150.00,2026-09-10,2026-09-10\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed, match="line 2, column 'Due': gives a payment below zero"):
        import_invoices(engine, path, mapping_file(tmp_path, CREDIT_MAPPING))
