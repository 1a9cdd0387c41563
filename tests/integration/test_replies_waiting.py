"""Replies waiting on SQLite and PostgreSQL: a reply read from the mailbox counts as waiting
for its customer until a person answers it or records what it says; other customers and other
kinds of message never count."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import read_only
from bot.importing.mapping import load_mapping
from bot.models import Customer, InboundMessage
from bot.services.inbox import actions as inbox_actions
from bot.services.inbox import mailbox as inbox
from bot.services.inbox import replies
from bot.services.inbox.replies_waiting import count_waiting
from bot.services.ledger.importing import import_invoices
from tests.support.csvfiles import line, write_csv
from tests.support.dkim_signer import signed, trusting
from tests.support.mail_samples import hard_bounce, reply

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _waiting(engine: Engine) -> dict[str, int]:
    with read_only(engine) as session:
        ids = {c.id: c.external_id for c in session.exec(select(Customer))}
        counts = count_waiting(session.connection(), list(ids))
    return {ids[c]: n for c, n in counts.items()}


def test_a_reply_waits_until_answered_or_acted_on(engine: Engine, tmp_path: Path) -> None:
    rows = [
        line(customer_id="A", email="jean@atelier.example", invoice_number="F-1"),
        line(customer_id="B", customer_name="Bee", email="b@bee.example", invoice_number="B-1"),
    ]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows), load_mapping())
    for uid, mail in enumerate(
        [
            signed(reply(text="Can we pay half now?")),
            signed(reply(text="And the rest in March?")),
            hard_bounce("jean@atelier.example", "<r1@relance.example>"),
        ],
        start=1,
    ):
        inbox.record(engine, "INBOX", 1, uid, mail, NOW, trusting(Settings()))
    assert _waiting(engine) == {"A": 2}  # the bounce is no reply; Bee wrote nothing

    with read_only(engine) as session:
        first, second = session.exec(
            select(InboundMessage.id).where(InboundMessage.kind == "reply").order_by("id")
        ).all()
    replies.send_reply(engine, first, "Yes, half now is fine.", "UAPPROVE1", NOW)
    assert _waiting(engine) == {"A": 1}
    inbox_actions.promise(engine, second, date(2026, 12, 15), None, "UAPPROVE1", NOW.date())
    assert _waiting(engine) == {}
    with read_only(engine) as session:
        assert {r.handled_by for r in session.exec(select(InboundMessage)) if r.handled_at} == {
            "UAPPROVE1"
        }
