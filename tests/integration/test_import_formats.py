"""The mapping format reads real report layouts: title lines, group rows, totals, line items,
statuses and addresses, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import unit_of_work
from bot.entry.composition import build_runtime
from bot.entry.terminal import import_lines
from bot.importing.mapping import Mapping, MappingError, load_mapping
from bot.models import AuditEvent, Customer, Invoice
from bot.services.common.lookup import open_invoices
from bot.services.ledger.importing import ImportFailed, import_invoices
from bot.services.page import customer_page
from tests.support.csvfiles import line, write_csv

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


def chased_and_page(engine: Engine) -> tuple[list[str], customer_page.PageData]:
    """The only customer's chased invoice numbers, and their page (credits listed there)."""
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
        chased = [i.number for i in open_invoices(session, customer.id or 0)]
    policies = build_runtime(Settings(), engine).governing()
    return chased, customer_page.load_page(engine, policies, customer.id or 0, date(2026, 11, 26))


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
    chased, page = chased_and_page(engine)
    assert chased == ["INV-1"]
    assert [(c.number, str(c.balance.amount)) for c in page.credits] == [
        ("CN-1", "-120.00"),
        ("CN-2", "-10.00"),
    ]
    assert [str(t.amount) for t in page.totals] == ["370.00"]


def test_a_credit_note_applied_beyond_its_amount_is_named(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "credits.csv"
    path.write_text(
        "Customer,Number,Type,Total,Due,Date,Due date\n"
        "Duval SA,CN-1,Credit Note,120.00,-150.00,2026-09-10,2026-09-10\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed, match="line 2, column 'Due': gives a payment below zero"):
        import_invoices(engine, path, mapping_file(tmp_path, CREDIT_MAPPING))


def test_header_names_match_whatever_case_spaces_and_quotes_the_tool_wrote(
    engine: Engine, tmp_path: Path
) -> None:
    """QuickBooks has written `Due date` and `Open balance`; spreadsheets add a byte-order mark,
    quotes, padding and non-breaking spaces. All of them name the mapping's columns."""
    path = tmp_path / "invoice_list.csv"
    path.write_text(
        "\ufeffCraig's Design and Landscaping Services\nInvoice List\n\n"
        '"DATE", Transaction type ,"num ",Customer,Due date,"Amount",Open\u00a0balance\n'
        '07/02/2026,Invoice,1001,Amy\'s Bird Sanctuary,08/01/2026,"1,108.00",108.00\n',
        encoding="utf-8",
    )
    report = import_invoices(engine, path, load_mapping("quickbooks"))
    assert report.invoices_created == 1
    with unit_of_work(engine) as session:
        invoice = session.exec(select(Invoice)).one()
    assert (invoice.amount_minor, invoice.paid_minor) == (110800, 100000)


@pytest.mark.parametrize(
    ("mapping", "text", "message"),
    [
        (
            "relance",
            "customer_id;customer_name;country;invoice_number;currency;amount;issue_date;"
            "due_date\nC1;Duval;FR;F-1;EUR;10,00;2026-09-01;2026-10-01\n",
            "line 1: this file is separated by ';'; the mapping 'relance' expects ','",
        ),
        (
            "pennylane",
            "Client,Numéro de facture,Montant TTC,Date d'émission,Date d'échéance\n",
            "line 1: this file is separated by ','; the mapping 'pennylane' expects ';'",
        ),
        (
            "fec",
            "JournalCode;CompteNum;PieceRef;Debit;Credit\n",
            "this file is separated by ';'; the mapping 'fec' expects tab or '|'",
        ),
    ],
)
def test_a_file_with_another_separator_is_told_which(
    engine: Engine, tmp_path: Path, mapping: str, text: str, message: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed, match=message):
        import_invoices(engine, path, load_mapping(mapping))


def test_a_reimport_cannot_change_an_invoices_currency(engine: Engine, tmp_path: Path) -> None:
    import_invoices(engine, write_csv(tmp_path / "a.csv", [line(amount="5389.25")]), load_mapping())
    moved = write_csv(tmp_path / "b.csv", [line(currency="GBP", amount="100.00")])
    with pytest.raises(
        ImportFailed, match="line 2: invoice 'F-001' is in EUR, not GBP: a re-import cannot"
    ):
        import_invoices(engine, moved, load_mapping())
    with unit_of_work(engine) as session:
        invoice = session.exec(select(Invoice)).one()
    assert (invoice.currency, invoice.amount_minor) == ("EUR", 538925)


def test_an_invoice_issued_after_today_needs_allow_future(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [line(issue_date="2026-12-01", due_date="2026-12-31")])
    with pytest.raises(
        ImportFailed, match="line 2: invoice 'F-001' is issued on 2026-12-01, after"
    ):
        import_invoices(engine, path, load_mapping(), today=date(2026, 11, 26))
    report = import_invoices(
        engine, path, load_mapping(), today=date(2026, 11, 26), allow_future=True
    )
    assert report.invoices_created == 1


@pytest.mark.parametrize(
    ("link", "accepted"),
    [
        ("https://pay.example.com/F-001", True),
        ("http://127.0.0.1:8080/pay/F-001", True),
        ("http://localhost/pay", True),
        ("javascript:alert(document.cookie)", False),
        ("http://pay.example.com/F-001", False),
        ("data:text/html,<b>pay</b>", False),
        ("//pay.example.com/F-001", False),
    ],
)
def test_payment_links_are_https_or_loopback(
    engine: Engine, tmp_path: Path, link: str, accepted: bool
) -> None:
    path = write_csv(tmp_path / "a.csv", [line(payment_link=link)])
    if accepted:
        import_invoices(engine, path, load_mapping())
        return
    with pytest.raises(
        ImportFailed, match=r"line 2, column 'payment_link': .* is not an https:// link"
    ):
        import_invoices(engine, path, load_mapping())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_name", "Atelier \u202eerèvefeL"),
        ("invoice_number", "F-\u2066001\u2069"),
        ("notes", "paid\u200f already"),
    ],
)
def test_bidirectional_controls_are_refused_in_any_field(
    engine: Engine, tmp_path: Path, field: str, value: str
) -> None:
    path = write_csv(tmp_path / "a.csv", [line(**{field: value})])
    with pytest.raises(
        ImportFailed, match=f"line 2, column '{field}': contains the bidirectional control U\\+"
    ):
        import_invoices(engine, path, load_mapping())


BALANCE_MAPPING = """
name = "ledger"
decimal_separator = "."
[columns]
customer_id = "Customer"
customer_name = "Customer"
invoice_number = "Number"
amount = "Total"
amount_paid = "Paid"
balance = "Due"
issue_date = "Date"
due_date = "Due date"
[defaults]
currency = "EUR"
country = "FR"
"""


def test_the_tools_balance_is_imported_and_each_disagreement_is_listed(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(
        "Customer,Number,Total,Paid,Due,Date,Due date\n"
        "Duval SA,INV-1,1200.00,0.00,960.00,2026-08-01,2026-09-01\n"  # a credit note allocated
        "Duval SA,INV-2,500.00,200.00,300.00,2026-08-02,2026-09-02\n",  # agrees
        encoding="utf-8",
    )
    report = import_invoices(engine, path, mapping_file(tmp_path, BALANCE_MAPPING))
    assert tuple(map(str, report.disagreements)) == (
        "line 2: invoice INV-1: ledger says EUR 960.00 is owed, where total EUR 1200.00 less "
        "paid EUR 0.00 gives EUR 1200.00; imported as ledger says (a credit or adjustment "
        "allocated there)",
    )
    assert str(report.disagreements[0]) in import_lines(report)
    with unit_of_work(engine) as session:
        balances = {i.number: i.amount_minor - i.paid_minor for i in session.exec(select(Invoice))}
    assert balances == {"INV-1": 96000, "INV-2": 30000}


def test_a_mapping_may_take_unnumbered_rows_as_credits(engine: Engine, tmp_path: Path) -> None:
    text = BALANCE_MAPPING + "[credits]\nunnumbered = true\n"
    path = tmp_path / "ledger.csv"
    path.write_text(
        "Customer,Number,Total,Paid,Due,Date,Due date\n"
        "Duval SA,INV-1,500.00,0.00,500.00,2026-08-01,2026-09-01\n"
        "Duval SA,,80.00,0.00,80.00,2026-08-20,2026-08-20\n",
        encoding="utf-8",
    )
    import_invoices(engine, path, mapping_file(tmp_path, text))
    chased, page = chased_and_page(engine)
    assert chased == ["INV-1"]
    assert [str(c.balance.amount) for c in page.credits] == ["-80.00"]
    assert page.credits[0].number.startswith("Credit 2026-08-20 ")
