"""A reminder's invoices live in `reminder_invoice`: migration 0010_types moves the old
comma-joined lists there in order and back, payments find the reminders an invoice is on
through its customer and their lists, and a number holding a comma stays one number — on both
databases."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.config import Settings
from bot.db import read_only, unit_of_work
from bot.entry.composition import build_runtime
from bot.models import Customer, Invoice, Reminder, ReminderInvoice
from bot.services.accounts.payments import follow_up_payments
from tests.support.migrations import migrate_to

BEFORE = "0010_durable"  # the revision before the invoice lists got their table
RUN_DATE = date(2026, 11, 25)


OLD_REMINDER = """
INSERT INTO reminder (customer_id, run_date, stage, channel, language, wording, invoice_numbers,
  subject, body_text, body_html, original_subject, original_body_text, state, decided_by,
  skip_reason, slack_channel, slack_ts, created_at)
VALUES (:customer, '2026-11-02', :stage, 'email', 'fr', '', :numbers, '', '', '', '', '',
  'suggested', '', '', '', '', '2026-11-02 08:00:00')
"""
OLD_INVOICE = """
INSERT INTO invoice (number, customer_id, currency, amount_minor, paid_minor, issue_date,
  due_date, payment_link, created_at, updated_at)
VALUES (:number, :customer, 'EUR', 5000, 0, '2026-09-01', '2026-10-01', '',
  '2026-11-01 08:00:00', '2026-11-01 08:00:00')
"""


def test_the_invoice_lists_move_to_their_table_and_back(engine: Engine) -> None:
    migrate_to(engine, BEFORE, down=True)
    with engine.begin() as conn:
        customer = conn.execute(
            sa.text(
                "INSERT INTO customer (external_id, name, contact_name, email, phone, language,"
                " country, timezone, currency, notes, address, paused, created_at, updated_at)"
                " VALUES ('C1', 'Acme', '', '', '', 'fr', 'FR', 'Europe/Paris', 'EUR', '', '',"
                " false, '2026-11-01 08:00:00', '2026-11-01 08:00:00') RETURNING id"
            )
        ).scalar_one()
        for number in ("F-1", "F-2", "F-7", "F-10"):  # the lists name invoices (0020_links)
            conn.execute(sa.text(OLD_INVOICE), {"customer": customer, "number": number})
        for stage, numbers in [("friendly", "F-2,F-1,F-10"), ("thanks", "F-7"), ("reply-1", "")]:
            conn.execute(
                sa.text(OLD_REMINDER), {"customer": customer, "stage": stage, "numbers": numbers}
            )

    migrate_to(engine, "head")
    with engine.connect() as conn:
        listed = conn.execute(
            sa.text(
                "SELECT r.stage, l.position, l.number FROM reminder_invoice l"
                " JOIN reminder r ON r.id = l.reminder_id ORDER BY r.stage, l.position"
            )
        ).all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("reminder")}
    assert [tuple(row) for row in listed] == [
        ("friendly", 0, "F-2"),
        ("friendly", 1, "F-1"),
        ("friendly", 2, "F-10"),
        ("thanks", 0, "F-7"),
    ]
    assert "invoice_numbers" not in columns
    with read_only(engine) as session:
        by_stage = {r.stage: r.numbers for r in session.exec(select(Reminder))}
    assert by_stage == {"friendly": ("F-2", "F-1", "F-10"), "thanks": ("F-7",), "reply-1": ()}

    migrate_to(engine, BEFORE, down=True)
    with engine.connect() as conn:
        back = conn.execute(
            sa.text("SELECT stage, invoice_numbers FROM reminder ORDER BY stage")
        ).all()
        tables = sa.inspect(conn).get_table_names()
    assert [tuple(row) for row in back] == [
        ("friendly", "F-2,F-1,F-10"),
        ("reply-1", ""),
        ("thanks", "F-7"),
    ]
    assert "reminder_invoice" not in tables
    migrate_to(engine, "head")


def _customer(session: sa.orm.Session) -> int:
    customer = Customer(
        external_id="C1",
        name="Acme",
        email="ap@acme.example",
        country="FR",
        timezone="Europe/Paris",
        currency="EUR",
    )
    session.add(customer)
    session.flush()
    assert customer.id is not None
    return customer.id


def _invoices(session: sa.orm.Session, customer_id: int, paid: dict[str, int]) -> None:
    """Invoices of 50.00 each, paid as `paid` says (by number)."""
    for number, paid_minor in paid.items():
        session.add(
            Invoice(
                number=number,
                customer_id=customer_id,
                currency="EUR",
                amount_minor=50_00,
                paid_minor=paid_minor,
                issue_date=date(2026, 9, 1),
                due_date=date(2026, 10, 1),
            )
        )


def test_a_reminders_invoices_keep_their_order(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        customer_id = _customer(session)
        _invoices(session, customer_id, {"F-1": 0, "F-2": 0, "F-10": 0})
        session.add(
            Reminder(
                customer_id=customer_id,
                run_date=RUN_DATE,
                stage="firm",
                channel="email",
                language="fr",
                invoices=ReminderInvoice.listing(["F-2", "F-1", "F-10"]),
            )
        )
    with read_only(engine) as session:
        (stored,) = session.exec(select(Reminder)).all()
        in_sql = session.execute(
            sa.select(ReminderInvoice.number).order_by(col(ReminderInvoice.position))
        ).scalars()
        assert stored.numbers == tuple(in_sql) == ("F-2", "F-1", "F-10")
    assert stored.invoice_numbers == "F-2,F-1,F-10"


def test_a_payment_cancels_the_reminders_on_its_invoice_even_with_a_comma(
    engine: Engine,
) -> None:
    """`2026,17` paid in full: the reminder chasing it is cancelled and thanked for; the one
    chasing the two other invoices `2026` and `17` (what splitting a text would have found)
    stays awaiting its decision."""
    with unit_of_work(engine) as session:
        customer_id = _customer(session)
        _invoices(session, customer_id, {"2026,17": 50_00, "2026": 0, "17": 0})
        for stage, numbers in [("friendly", ["2026,17"]), ("firm", ["2026", "17"])]:
            session.add(
                Reminder(
                    customer_id=customer_id,
                    run_date=RUN_DATE,
                    stage=stage,
                    channel="email",
                    language="fr",
                    invoices=ReminderInvoice.listing(numbers),
                )
            )
    composer = build_runtime(Settings(), engine).composer

    done = follow_up_payments(engine, composer, ("2026,17",), RUN_DATE)

    with read_only(engine) as session:
        reminders = {r.stage: r for r in session.exec(select(Reminder))}
    assert done.cancelled == [reminders["friendly"].id]
    assert done.thanks == [reminders["thanks"].id]
    assert reminders["friendly"].state == "cancelled"
    assert reminders["firm"].state == "suggested"
    assert reminders["firm"].numbers == ("2026", "17")
    assert reminders["thanks"].numbers == ("2026,17",)
