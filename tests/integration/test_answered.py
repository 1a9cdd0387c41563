"""The morning knows whether the customer answered (a reply read from the mailbox, a promise,
a dispute) since the reminders began, on SQLite and PostgreSQL, so a final notice never says
"unanswered" to a customer who wrote back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import read_only, unit_of_work
from bot.models import InboundMessage, Invoice, Promise
from bot.services.reminders.suggestions import load_accounts
from tests.support.page import TODAY, page_customers


def answers(engine: Engine) -> dict[str, object]:
    with read_only(engine) as session:
        return {c.external_id: a.last_answer for c, a in load_accounts(session)}


def test_a_reply_or_a_promise_is_the_customers_last_answer(engine: Engine, tmp_path: Path) -> None:
    customers = page_customers(engine, tmp_path)
    assert set(answers(engine).values()) == {None}
    with unit_of_work(engine) as session:
        session.add(
            InboundMessage(
                mailbox="INBOX",
                uidvalidity=1,
                uid=7,
                kind="reply",
                customer_id=customers["A"],
                received_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
            )
        )
        session.add(  # a bounce is no answer
            InboundMessage(
                mailbox="INBOX",
                uidvalidity=1,
                uid=8,
                kind="bounce",
                customer_id=customers["B"],
                received_at=datetime(2026, 11, 21, 10, tzinfo=UTC),
            )
        )
        invoice = session.exec(select(Invoice).where(Invoice.number == "G-301")).one()
        session.add(
            Promise(
                invoice_id=invoice.id,
                promised_date=TODAY + timedelta(days=5),
                created_by="U1",
                created_at=datetime(2026, 11, 24, 23, 30, tzinfo=UTC),
            )
        )
    found = answers(engine)
    assert found["A"] == datetime(2026, 11, 20).date()
    assert found["B"] is None
    assert found["C"] == datetime(2026, 11, 24).date()  # 23:30 UTC is still the 24th in London
