"""A state column stores its enum's value, the same string as before the enums (no migration),
and gives back the enum's member, on SQLite and PostgreSQL alike; a string no enum knows never
reaches the table."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import unit_of_work
from bot.domain.inbound import Kind
from bot.domain.states import (
    BankLineState,
    InvoiceStatus,
    OutboxState,
    PlanState,
    PromiseState,
    ReminderState,
)
from bot.models import (
    BankLine,
    BankStatement,
    Customer,
    InboundMessage,
    Invoice,
    Outbox,
    PaymentPlan,
    Promise,
    Reminder,
)

DAY = date(2026, 11, 2)


def _one_of_each(session: Session) -> None:
    customer = Customer(
        external_id="C1", name="Acme", country="FR", timezone="Europe/Paris", currency="EUR"
    )
    session.add(customer)
    session.flush()
    assert customer.id is not None
    invoice = Invoice(
        number="F-1",
        customer_id=customer.id,
        currency="EUR",
        amount_minor=1000,
        issue_date=DAY,
        due_date=DAY,
        status=InvoiceStatus.WRITTEN_OFF,
    )
    reminder = Reminder(
        customer_id=customer.id,
        run_date=DAY,
        stage="first",
        channel="email",
        language="en",
        state=ReminderState.APPROVED,
    )
    statement = BankStatement(
        file_name="s.xml", file_sha256="0" * 64, format="camt.053", imported_by="U1"
    )
    session.add_all([invoice, reminder, statement])
    session.flush()
    assert invoice.id and reminder.id and statement.id
    session.add_all(
        [
            Outbox(reminder_id=reminder.id, channel="email", state=OutboxState.FAILED),
            Promise(
                invoice_id=invoice.id,
                promised_date=DAY,
                state=PromiseState.BROKEN,
                created_by="U1",
            ),
            PaymentPlan(
                customer_id=customer.id,
                currency="EUR",
                invoice_numbers="F-1",
                total_minor=1000,
                paid_at_start_minor=0,
                state=PlanState.MISSED,
                created_by="U1",
            ),
            BankLine(
                statement_id=statement.id,
                reference="R1",
                booked_on=DAY,
                currency="EUR",
                state=BankLineState.TO_DECIDE,
            ),
            InboundMessage(mailbox="INBOX", uidvalidity=1, uid=1, kind=Kind.UNREADABLE),
        ]
    )


#: Each state column, with the member `_one_of_each` wrote into it.
WRITTEN: list[tuple[sa.ColumnElement[StrEnum], StrEnum]] = [
    (col(Invoice.status), InvoiceStatus.WRITTEN_OFF),
    (col(Reminder.state), ReminderState.APPROVED),
    (col(Outbox.state), OutboxState.FAILED),
    (col(Promise.state), PromiseState.BROKEN),
    (col(PaymentPlan.state), PlanState.MISSED),
    (col(BankLine.state), BankLineState.TO_DECIDE),
    (col(InboundMessage.kind), Kind.UNREADABLE),
]


def test_a_state_is_stored_as_its_value_and_read_back_as_its_member(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        _one_of_each(session)
    with Session(engine) as session:
        for column, member in WRITTEN:
            read = session.exec(select(column)).one()
            assert type(read) is type(member) and read is member
            stored = session.connection().execute(
                sa.text(f"SELECT {column.name} FROM {column.table.name}")  # type: ignore[attr-defined]
            )
            assert stored.scalar_one() == member.value  # the very string stored before the enums
        reminder = session.exec(select(Reminder)).one()
        assert reminder.state is ReminderState.APPROVED
        assert f"{reminder.state}" == str(reminder.state) == "approved"  # what a text shows


def test_a_plain_string_written_or_queried_comes_back_as_the_member(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        _one_of_each(session)
        session.execute(sa.update(Reminder).values(state="sent"))
    with Session(engine) as session:
        found = session.exec(select(Reminder).where(col(Reminder.state) == "sent")).one()
        assert found.state is ReminderState.SENT


def test_a_string_no_enum_knows_never_reaches_the_table(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        _one_of_each(session)
    with (
        pytest.raises(sa.exc.StatementError, match="'lost' is not a valid ReminderState"),
        unit_of_work(engine) as session,
    ):
        session.execute(sa.update(Reminder).values(state="lost"))
    with Session(engine) as session:
        assert session.exec(select(col(Reminder.state))).one() is ReminderState.APPROVED
