"""Where a customer's news is posted: their latest card's thread, else their owner, else the
digest channel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from bot.db import read_only, unit_of_work
from bot.models import Customer, DigestRun, Invoice, Reminder, ReminderInvoice
from bot.services.inbox.threads import ConversationTarget, conversation_target


def _customer(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        customer = Customer(
            external_id="A", name="Acme", country="FR", timezone="Europe/Paris", currency="EUR"
        )
        session.add(customer)
        session.flush()
        session.add(  # what its reminders chase
            Invoice(
                number="A-1",
                customer_id=customer.id,
                currency="EUR",
                issue_date=date(2026, 10, 1),
                due_date=date(2026, 10, 31),
            )
        )
        return customer.id


def _reminder(engine: Engine, customer_id: int, day: date, ts: str) -> None:
    with unit_of_work(engine) as session:
        session.add(
            Reminder(
                customer_id=customer_id,
                run_date=day,
                stage="friendly",
                channel="email",
                language="en",
                invoices=ReminderInvoice.listing(["A-1"]),
                slack_channel="CDIGEST" if ts else "",
                slack_ts=ts,
                created_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
            )
        )


def test_the_latest_card_thread_wins(engine: Engine) -> None:
    customer_id = _customer(engine)
    day = date(2026, 11, 20)
    _reminder(engine, customer_id, day, "100.1")
    _reminder(engine, customer_id, day + timedelta(days=3), "200.2")
    _reminder(engine, customer_id, day + timedelta(days=5), "")  # suggested, not posted yet
    with read_only(engine) as session:
        target = conversation_target(session, customer_id, digest_channel="CELSE")
    assert target == ConversationTarget(channel="CDIGEST", thread_ts="200.2")


def test_without_a_card_the_digest_channel(engine: Engine) -> None:
    customer_id = _customer(engine)
    with read_only(engine) as session:
        assert conversation_target(session, customer_id) is None
        assert conversation_target(session, customer_id, digest_channel="CSET") == (
            ConversationTarget(channel="CSET", thread_ts=None)
        )
    with unit_of_work(engine) as session:
        session.add(DigestRun(run_date=date(2026, 11, 25), channel="CLAST", claimed_by="i1"))
    with read_only(engine) as session:
        assert conversation_target(session, customer_id) == ConversationTarget("CLAST", None)


def test_without_a_card_an_owned_customer_goes_to_the_owner(engine: Engine) -> None:
    customer_id = _customer(engine)
    with unit_of_work(engine) as session:
        session.get(Customer, customer_id).owner = "UOWNER1"
    with read_only(engine) as session:
        assert conversation_target(session, customer_id, digest_channel="CSET") == (
            ConversationTarget(channel="UOWNER1", thread_ts=None)
        )
    _reminder(engine, customer_id, date(2026, 11, 20), "100.1")
    with read_only(engine) as session:  # a card's thread still comes first
        assert conversation_target(session, customer_id).thread_ts == "100.1"
