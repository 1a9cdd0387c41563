"""Migration 0020_links, up, down and up again with data, on both databases: plans' comma-joined
invoice lists become `plan_invoice` rows and come back as the same texts; the audit events keep
their texts (the chain verifies throughout) and gain `audit_event_invoice` rows; reminder lists
get their foreign key to the invoices, with the lists 0010_types split at a number's comma made
whole again; a list naming an invoice that does not exist stops the migration, changing
nothing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col, select

from bot.db import read_only, unit_of_work
from bot.models import Customer, Invoice, PaymentPlan, PlanInvoice, Reminder, ReminderInvoice
from bot.services import audit
from bot.services.audit.export import last_events
from tests.support.migrations import migrate_to

BEFORE = "0019_dispute_files"
# "2026,17" is one invoice (neither "2026" nor "17" is one); "A,B" is one, and so are A and B.
INVOICES = ("F-1", "F-2", "2026,17", "A,B", "A", "B")
EVENTS = {
    "one": ("F-1",),
    "comma": ("2026,17", "F-2"),
    "both": ("A", "B"),
    "joined": ("A,B",),  # its text reads as A then B: the text cannot tell (see 0020_links)
    "none": (),
    "gone": ("F-404",),  # the trail names what it named, invoice or not
}
PLAN_OLD = """
INSERT INTO payment_plan (customer_id, currency, invoice_numbers, total_minor,
  paid_at_start_minor, state, created_by, beyond_limits, created_at)
VALUES (:customer, 'EUR', :numbers, 100, 0, 'active', 'U1', false, '2026-11-01 08:00:00')
"""


def _ledger(engine: Engine) -> int:
    """At the head: a customer, its invoices, two plans, two reminders and the events."""
    with unit_of_work(engine) as session:
        customer = Customer(
            external_id="C1", name="Acme", country="FR", timezone="Europe/Paris", currency="EUR"
        )
        session.add(customer)
        session.flush()
        assert customer.id is not None
        for number in INVOICES:
            session.add(
                Invoice(
                    number=number,
                    customer_id=customer.id,
                    currency="EUR",
                    amount_minor=50_00,
                    issue_date=date(2026, 9, 1),
                    due_date=date(2026, 10, 1),
                )
            )
        for numbers in [("F-1", "2026,17"), ("A", "B")]:
            session.add(
                PaymentPlan(
                    customer_id=customer.id,
                    currency="EUR",
                    invoices=PlanInvoice.listing(numbers),
                    total_minor=100_00,
                    paid_at_start_minor=0,
                    created_by="U1",
                )
            )
        for stage, numbers in [("friendly", ("2026,17", "F-1")), ("firm", ("F-2", "F-1"))]:
            session.add(
                Reminder(
                    customer_id=customer.id,
                    run_date=date(2026, 11, 25),
                    stage=stage,
                    channel="email",
                    language="fr",
                    invoices=ReminderInvoice.listing(numbers),
                )
            )
        audit.append_many(
            session,
            [
                audit.NewEvent(kind=kind, actor="U1", customer_id=customer.id, invoice_numbers=n)
                for kind, n in EVENTS.items()
            ],
        )
        return customer.id


def _rows(conn: Connection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in conn.execute(sa.text(sql))]


def _lists(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Each list table's rows, by what they list (plans by id, reminders by stage, events by
    kind)."""
    with engine.connect() as conn:
        return {
            "plans": _rows(
                conn, "SELECT plan_id, position, number FROM plan_invoice ORDER BY 1, 2"
            ),
            "reminders": _rows(
                conn,
                "SELECT r.stage, l.position, l.number FROM reminder_invoice l"
                " JOIN reminder r ON r.id = l.reminder_id ORDER BY 1, 2",
            ),
            "events": _rows(
                conn,
                "SELECT e.kind, l.position, l.number FROM audit_event_invoice l"
                " JOIN audit_event e ON e.seq = l.event_seq ORDER BY 1, 2",
            ),
        }


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def _plan_texts(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return _rows(conn, "SELECT id, invoice_numbers FROM payment_plan ORDER BY id")


def _refused(engine: Engine, sql: str) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text(sql))


WRITTEN = {  # as the app writes them at the head
    "plans": [(1, 0, "F-1"), (1, 1, "2026,17"), (2, 0, "A"), (2, 1, "B")],
    "reminders": [
        ("firm", 0, "F-2"),
        ("firm", 1, "F-1"),
        ("friendly", 0, "2026,17"),
        ("friendly", 1, "F-1"),
    ],
    "events": [
        ("both", 0, "A"),
        ("both", 1, "B"),
        ("comma", 0, "2026,17"),
        ("comma", 1, "F-2"),
        ("gone", 0, "F-404"),
        ("joined", 0, "A,B"),
        ("one", 0, "F-1"),
    ],
}


def test_the_lists_become_rows_and_go_back_to_texts_with_their_data(engine: Engine) -> None:
    customer = _ledger(engine)
    assert _lists(engine) == WRITTEN
    assert audit.verify_chain(engine).checked == len(EVENTS)

    migrate_to(engine, BEFORE, down=True)
    assert _plan_texts(engine) == [(1, "F-1,2026,17"), (2, "A,B")]
    assert {"plan_invoice", "audit_event_invoice"}.isdisjoint(_tables(engine))
    assert audit.verify_chain(engine).checked == len(EVENTS)
    with engine.begin() as conn:  # what 0010_types made of a list holding "2026,17"
        friendly = conn.execute(
            sa.text("SELECT id FROM reminder WHERE stage = 'friendly'")
        ).scalar_one()
        conn.execute(
            sa.text("DELETE FROM reminder_invoice WHERE reminder_id = :r"), {"r": friendly}
        )
        for position, number in enumerate(["2026", "17", "F-1"]):
            conn.execute(
                sa.text(
                    "INSERT INTO reminder_invoice (reminder_id, position, number)"
                    " VALUES (:r, :position, :number)"
                ),
                {"r": friendly, "position": position, "number": number},
            )
        conn.execute(sa.text(PLAN_OLD), {"customer": customer, "numbers": "2026,17,A,B"})

    for _ in range(2):  # up, then down and up again: the same rows each time
        migrate_to(engine, "head")
        assert (
            _lists(engine)
            == {
                **WRITTEN,
                "plans": [*WRITTEN["plans"], (3, 0, "2026,17"), (3, 1, "A"), (3, 2, "B")],
                "events": [
                    *WRITTEN["events"][:5],
                    ("joined", 0, "A"),  # A and B are invoices: "A,B" read as them
                    ("joined", 1, "B"),
                    *WRITTEN["events"][6:],
                ],
            }
        )
        assert audit.verify_chain(engine).checked == len(EVENTS)
        with read_only(engine) as session:
            plans = session.exec(select(PaymentPlan).order_by(col(PaymentPlan.id))).all()
            assert [p.numbers for p in plans] == [
                ("F-1", "2026,17"),
                ("A", "B"),
                ("2026,17", "A", "B"),
            ]
        assert sorted(e.kind for e in last_events(engine, "2026,17")[1]) == ["comma"]
        for table, key in [("reminder_invoice", "reminder_id"), ("plan_invoice", "plan_id")]:
            _refused(
                engine, f"INSERT INTO {table} ({key}, position, number) VALUES (1, 9, 'F-404')"
            )
        migrate_to(engine, BEFORE, down=True)
        assert _plan_texts(engine) == [(1, "F-1,2026,17"), (2, "A,B"), (3, "2026,17,A,B")]
        assert audit.verify_chain(engine).checked == len(EVENTS)
    migrate_to(engine, "head")
    with unit_of_work(engine) as session:  # the chain goes on, its new events indexed
        audit.append(session, audit.NewEvent(kind="after", actor="U1", invoice_numbers=("F-2",)))
    assert audit.verify_chain(engine).ok
    assert sorted(e.kind for e in last_events(engine, "F-2")[1]) == ["after", "comma"]


def test_a_list_naming_no_invoice_stops_the_migration_and_changes_nothing(engine: Engine) -> None:
    customer = _ledger(engine)
    migrate_to(engine, BEFORE, down=True)
    with engine.begin() as conn:
        conn.execute(sa.text(PLAN_OLD), {"customer": customer, "numbers": "F-1,F-999"})
        conn.execute(
            sa.text(
                "INSERT INTO reminder_invoice (reminder_id, position, number)"
                " SELECT id, 2, 'GHOST' FROM reminder WHERE stage = 'firm'"
            )
        )
        firm = conn.execute(sa.text("SELECT id FROM reminder WHERE stage = 'firm'")).scalar_one()

    with pytest.raises(RuntimeError) as refused:
        migrate_to(engine, "head")

    assert f"reminder {firm}: 'GHOST'" in str(refused.value)
    assert "payment plan 3: 'F-999'" in str(refused.value)
    assert "nothing was changed" in str(refused.value)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == BEFORE
    assert _plan_texts(engine)[2] == (3, "F-1,F-999")
    assert {"plan_invoice", "audit_event_invoice"}.isdisjoint(_tables(engine))
    with engine.begin() as conn:  # the operator imports the invoices the lists name
        for number in ("F-999", "GHOST"):
            conn.execute(
                sa.text(
                    "INSERT INTO invoice (number, customer_id, currency, amount_minor, paid_minor,"
                    " issue_date, due_date, payment_link, pdf, status, created_at, updated_at)"
                    " VALUES (:number, :customer, 'EUR', 100, 0, '2026-09-01', '2026-10-01', '',"
                    " '', 'open', '2026-11-01 08:00:00', '2026-11-01 08:00:00')"
                ),
                {"number": number, "customer": customer},
            )
    migrate_to(engine, "head")
    assert (3, 1, "F-999") in _lists(engine)["plans"]
