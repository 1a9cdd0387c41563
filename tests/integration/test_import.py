"""Importing invoices on SQLite and PostgreSQL: all or nothing, every bad line named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import unit_of_work
from bot.entry.sample_data import HEADER
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Customer, Invoice
from bot.services import audit
from bot.services.ledger.importing import ImportFailed, import_invoices
from tests.support.csvfiles import line, write_csv

RELANCE = load_mapping("relance")


def snapshot(engine: Engine) -> list:
    with engine.connect() as conn:
        return [
            conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()
            for table in ("customer", "invoice", "audit_event")
        ]


def run(engine: Engine, path: Path, mapping=RELANCE):  # type: ignore[no-untyped-def]
    return import_invoices(engine, path, mapping, actor="tester")


def test_a_good_file_imports_customers_and_invoices(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            line(),
            line(invoice_number="F-002", amount="250.00", amount_paid="100,50"),
            line(
                customer_id="C2",
                customer_name="Thornton & Hale Ltd",
                email="ap@th.example",
                language="en-GB",
                country="GB",
                timezone="",
                currency="GBP",
                invoice_number="UK-1",
                amount="£1,000.00".lstrip("£"),
            ),
        ],
    )
    report = run(engine, path)
    assert (report.lines, report.invoices_created, report.customers_created) == (3, 3, 2)
    with unit_of_work(engine) as session:
        customers = {c.external_id: c for c in session.exec(select(Customer))}
        invoices = {i.number: i for i in session.exec(select(Invoice))}
    assert customers["C1"].name == "Atelier Lefèvre"
    assert customers["C2"].language == "en_GB"
    assert customers["C2"].timezone == "Europe/London"  # from the country when not given
    assert str(invoices["F-001"].amount) == "1234.56"
    assert invoices["F-002"].paid_minor == 10050
    assert str(invoices["F-002"].balance) == "149.50"
    assert invoices["UK-1"].currency == "GBP" and invoices["UK-1"].amount_minor == 100000


def test_reimport_updates_in_place_and_records_payments(engine: Engine, tmp_path: Path) -> None:
    run(engine, write_csv(tmp_path / "a.csv", [line(), line(invoice_number="F-002")]))
    report = run(
        engine,
        write_csv(
            tmp_path / "b.csv",
            [
                line(amount_paid="234.56"),
                line(invoice_number="F-002"),
                line(invoice_number="F-003"),
            ],
        ),
    )
    assert (report.invoices_created, report.invoices_updated) == (1, 1)
    assert report.payments_recorded == 1
    with unit_of_work(engine) as session:
        invoices = session.exec(select(Invoice).order_by(Invoice.number)).all()
        payments = session.exec(select(AuditEvent).where(AuditEvent.kind == "payment")).all()
        chain = audit.verify(session)
    assert [i.number for i in invoices] == ["F-001", "F-002", "F-003"]
    assert invoices[0].paid_minor == 23456
    assert len(payments) == 1
    assert payments[0].invoice_numbers == "F-001"
    assert json.loads(payments[0].content)["received"] == "234.56"
    assert chain.ok and chain.checked == 3  # two imports and one payment

    again = run(engine, tmp_path / "b.csv")
    assert (again.invoices_created, again.invoices_updated, again.payments_recorded) == (0, 0, 0)


def test_an_export_without_emails_keeps_the_known_emails(engine: Engine, tmp_path: Path) -> None:
    run(engine, write_csv(tmp_path / "a.csv", [line(currency="USD")]))  # QuickBooks: USD
    qb = tmp_path / "qb.csv"
    qb.write_text(
        "Date,Num,Customer,Due Date,Amount,Open Balance\n"
        '09/01/2026,F-001,C1,10/01/2026,"1,234.56",234.56\n',
        encoding="utf-8",
    )
    report = run(engine, qb, load_mapping("quickbooks"))
    assert report.payments_recorded == 1
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
        invoice = session.exec(select(Invoice)).one()
    assert customer.email == "jean@atelier.example"
    assert invoice.paid_minor == 100000
    assert invoice.payment_link == "https://pay.example.com/F-001"


def test_xero_export_reads_country_names_and_day_first_dates(
    engine: Engine, tmp_path: Path
) -> None:
    xero = tmp_path / "xero.csv"
    xero.write_text(
        "ContactName,EmailAddress,POCountry,InvoiceNumber,InvoiceDate,DueDate,Total,"
        "InvoiceAmountPaid,Currency\n"
        "Kingsley Print Works,james@kp.example,United Kingdom,INV-0042,03/09/2026,03/10/2026,"
        "1200.00,200.00,GBP\n",
        encoding="utf-8",
    )
    run(engine, xero, load_mapping("xero"))
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
        invoice = session.exec(select(Invoice)).one()
    assert (customer.country, customer.timezone, customer.external_id) == (
        "GB",
        "Europe/London",
        "Kingsley Print Works",
    )
    assert (invoice.issue_date.isoformat(), invoice.due_date.isoformat()) == (
        "2026-09-03",
        "2026-10-03",
    )
    assert str(invoice.balance) == "1000.00"


BAD_LINES = {
    "bad date": (line(due_date="31/02/2026"), "line 3, column 'due_date'", "is not a date like"),
    "bad amount": (line(amount="12,3x"), "line 3, column 'amount'", "is not an amount"),
    "too many decimals": (line(amount="10.0012"), "line 3, column 'amount'", "decimal places"),
    "unknown currency": (line(currency="EURO"), "line 3, column 'currency'", "ISO 4217"),
    "bad e-mail": (line(email="jean@"), "line 3, column 'email'", "is not an e-mail address"),
    "bad country": (line(country="XX"), "line 3, column 'country'", "ISO 3166"),
    "bad language": (line(language="zz-top"), "line 3, column 'language'", "language code"),
    "bad time zone": (line(timezone="Mars/Olympus"), "line 3, column 'timezone'", "IANA"),
    "amount readable two ways": (
        line(amount="1.500"),
        "line 3, column 'amount'",
        "could be read two ways",
    ),
    "paid readable two ways": (
        line(amount_paid="1,000"),
        "line 3, column 'amount_paid'",
        "could be read two ways",
    ),
    "empty amount": (line(amount=""), "line 3, column 'amount'", "is empty"),
    "due before issue": (
        line(due_date="2026-08-01"),
        "line 3, column 'due_date'",
        "before the issue date",
    ),
    "overpaid": (line(amount_paid="5000"), "line 3, column 'amount_paid'", "above the invoice"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_one_bad_line_imports_nothing_and_names_it(
    engine: Engine, tmp_path: Path, case: str
) -> None:
    run(engine, write_csv(tmp_path / "before.csv", [line(invoice_number="OLD-1")]))
    before = snapshot(engine)
    bad, where, what = BAD_LINES[case]
    path = write_csv(
        tmp_path / "in.csv",
        [line(invoice_number="A-1"), {**bad, "invoice_number": "A-2"}, line(invoice_number="A-3")],
    )
    with pytest.raises(ImportFailed) as failed:
        run(engine, path)
    message = str(failed.value)
    assert where in message and what in message, message
    assert failed.value.total == 1
    assert snapshot(engine) == before


def test_every_bad_line_is_listed_not_only_the_first(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            line(invoice_number="A-1", amount="abc"),
            line(invoice_number="A-2"),
            line(invoice_number="A-3", due_date="soon", currency="XYZ"),
        ],
    )
    with pytest.raises(ImportFailed) as failed:
        run(engine, path)
    assert [(e.line, e.column) for e in failed.value.errors] == [
        (2, "amount"),
        (4, "currency"),
        (4, "due_date"),
    ]
    assert snapshot(engine) == [[], [], []]


def test_a_missing_column_is_named(engine: Engine, tmp_path: Path) -> None:
    header = [h for h in line() if h != "due_date"]
    path = write_csv(tmp_path / "in.csv", [line()], header=header)
    with pytest.raises(ImportFailed, match=r"line 1, column 'due_date': missing column"):
        run(engine, path)
    assert snapshot(engine) == [[], [], []]


def test_duplicate_invoice_numbers_within_a_file(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [line(), line(invoice_number="F-9"), line()])
    with pytest.raises(ImportFailed) as failed:
        run(engine, path)
    assert str(failed.value.errors[0]) == (
        "line 4: invoice number 'F-001' already appears on line 2"
    )
    assert snapshot(engine) == [[], [], []]


@pytest.mark.parametrize("content", [b"", b"customer_id,customer_name\n"])
def test_an_empty_file_is_refused(engine: Engine, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFailed, match="line 1"):
        run(engine, path)
    assert snapshot(engine) == [[], [], []]


def test_header_without_lines_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [])
    with pytest.raises(ImportFailed, match="line 1: no invoice lines after the header"):
        run(engine, path)


def test_wrong_encoding_names_the_line(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            line(invoice_number="A-1", customer_name="Plain", contact_name="Plain"),
            line(invoice_number="A-2", customer_name="Société Générale", contact_name="Plain"),
        ],
        encoding="cp1252",
    )
    with pytest.raises(ImportFailed) as failed:
        run(engine, path)
    assert failed.value.errors[0].line == 3
    assert "is not valid UTF-8 (byte 0xe9" in str(failed.value)
    assert snapshot(engine) == [[], [], []]


def test_a_file_saved_by_excel_with_a_byte_order_mark_imports(
    engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            line(),
            line(invoice_number="F-002", customer_name="Société Générale"),
        ],
        encoding="utf-8-sig",
    )
    assert run(engine, path).invoices_created == 2
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT external_id, name FROM customer")).all()
    assert names == [("C1", "Société Générale")]  # the header's first column read as such


def test_a_line_with_too_many_fields_is_named(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [line()])
    with path.open("a", encoding="utf-8") as out:
        out.write("C1,x,y\n")
    with pytest.raises(
        ImportFailed, match=f"line 3: has 3 fields where the header has {len(HEADER)}"
    ):
        run(engine, path)


def test_quoted_newlines_keep_line_numbers_right(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            line(invoice_number="A-1", notes="two\nlines"),
            line(invoice_number="A-2", amount="x"),
        ],
    )
    with pytest.raises(ImportFailed) as failed:
        run(engine, path)
    assert failed.value.errors[0].line == 4


def test_the_bundled_sample_imports_cleanly(engine: Engine, tmp_path: Path) -> None:
    from datetime import date

    from bot.entry.sample_data import write_sample_invoices

    count = write_sample_invoices(tmp_path / "sample.csv", date(2026, 11, 26))
    report = run(engine, tmp_path / "sample.csv")
    assert report.lines == count and 250 <= count <= 350
    assert report.customers_created == 60
    with unit_of_work(engine) as session:
        countries = set(session.exec(select(Customer.country)))
        languages = set(session.exec(select(Customer.language)))
        currencies = set(session.exec(select(Invoice.currency)))
    assert {"FR", "DE", "GB", "US", "ES"} < countries and len(countries) >= 6
    assert {"en", "fr", "de", "es"} <= languages
    assert currencies == {"EUR", "GBP", "USD"}


def test_the_governing_law_is_an_optional_column(engine: Engine, tmp_path: Path) -> None:
    from bot.entry.sample_data import HEADER

    with_law = [*HEADER, "governing_law"]
    rows = [
        line(),
        line(customer_id="C2", invoice_number="F-002", governing_law="Germany"),
        line(customer_id="C3", invoice_number="F-003", governing_law="XX"),
    ]
    with pytest.raises(ImportFailed) as failed:
        run(engine, write_csv(tmp_path / "bad.csv", rows, with_law))
    assert [(e.line, e.column) for e in failed.value.errors] == [(4, "governing_law")]
    run(engine, write_csv(tmp_path / "law.csv", rows[:2], with_law))
    run(engine, write_csv(tmp_path / "without.csv", rows[:2]))  # no column: left as it was
    with unit_of_work(engine) as session:
        laws = dict(session.exec(sa.select(Customer.external_id, Customer.governing_law)).all())
    assert laws == {"C1": "", "C2": "DE"}


def test_a_column_with_an_empty_header_is_ignored(engine: Engine, tmp_path: Path) -> None:
    """A report's unnamed first column never stands in for fields the mapping leaves out."""
    qb = tmp_path / "qb.csv"
    qb.write_text(
        ",Date,Num,Customer,Due Date,Amount,Open Balance\n"
        'x,09/01/2026,1001,Amy,10/01/2026,"1,500.00",500.00\n',
        encoding="utf-8",
    )
    run(engine, qb, load_mapping("quickbooks"))
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
        invoice = session.exec(select(Invoice)).one()
    assert (customer.country, customer.language, customer.notes) == ("US", "en", "")
    assert (invoice.amount_minor, invoice.paid_minor) == (150000, 100000)


def test_a_declared_separator_reads_thousands_without_decimals(
    engine: Engine, tmp_path: Path
) -> None:
    qb = tmp_path / "qb.csv"
    qb.write_text(
        "Date,Num,Customer,Due Date,Amount,Open Balance\n"
        '09/01/2026,1001,Amy,10/01/2026,"1,500",500\n',
        encoding="utf-8",
    )
    run(engine, qb, load_mapping("quickbooks"))
    with unit_of_work(engine) as session:
        assert session.exec(select(Invoice.amount_minor)).one() == 150000


def test_a_lower_amount_paid_is_a_reversed_payment(engine: Engine, tmp_path: Path) -> None:
    run(engine, write_csv(tmp_path / "a.csv", [line(amount_paid="500.00")]))
    run(engine, write_csv(tmp_path / "b.csv", [line(amount_paid="200.00")]))
    with unit_of_work(engine) as session:
        invoice = session.exec(select(Invoice)).one()
        reversed_ = session.exec(
            select(AuditEvent).where(AuditEvent.kind == "payment_reversed")
        ).one()
    assert invoice.paid_minor == 20000
    assert reversed_.invoice_numbers == "F-001"
    assert json.loads(reversed_.content)["reversed"] == "300.00"


def test_an_invoice_moving_to_another_customer_is_refused(engine: Engine, tmp_path: Path) -> None:
    run(engine, write_csv(tmp_path / "a.csv", [line()]))
    before = snapshot(engine)
    moved = write_csv(tmp_path / "b.csv", [line(customer_id="C2", customer_name="Other")])
    with pytest.raises(ImportFailed) as failed:
        run(engine, moved)
    assert str(failed.value.errors[0]) == (
        "line 2: invoice 'F-001' belongs to customer 'C1', not 'C2' "
        "(import with --allow-reassign to move it)"
    )
    assert snapshot(engine) == before


def test_an_allowed_move_is_audited(engine: Engine, tmp_path: Path) -> None:
    run(engine, write_csv(tmp_path / "a.csv", [line()]))
    moved = write_csv(tmp_path / "b.csv", [line(customer_id="C2", customer_name="Other")])
    import_invoices(engine, moved, RELANCE, actor="tester", allow_reassign=True)
    with unit_of_work(engine) as session:
        owner = session.exec(select(Customer).join(Invoice)).one()
        move = session.exec(select(AuditEvent).where(AuditEvent.kind == "invoice_reassigned")).one()
    assert owner.external_id == "C2"
    assert move.customer_id == owner.id
    assert json.loads(move.content) == {"from_customer": "C1", "to_customer": "C2"}


def test_a_file_that_is_not_text_is_refused_with_its_line(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [line()])
    with path.open("ab") as out:
        out.write(b"C1,x\rY\x00,z\n")
    with pytest.raises(ImportFailed, match=r"line 3: cannot be read as CSV"):
        run(engine, path)
