"""Reading the written record: an auditor's CSV export, and the last events of a customer or
an invoice for Slack."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from bot.db import read_only
from bot.models import AuditEvent, AuditEventInvoice, Customer
from bot.services.common.errors import Invalid
from bot.services.common.lookup import find_customer, find_invoice

COLUMNS = [
    "seq",
    "occurred_at_utc",
    "actor",
    "kind",
    "customer_id",
    "customer",
    "invoices",
    "channel",
    "content",
    "prev_hash",
    "hash",
]


# A cell starting with one of these is read as a formula by spreadsheet programs
# (OWASP, "CSV Injection"): `=HYPERLINK(...)` in a customer name would become a live link.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a leading apostrophe before anything that could
    start a formula. Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _filtered(
    customer_id: int | None, since: date | None, until: date | None
) -> Select[AuditEvent, str, str]:
    query = select(AuditEvent, col(Customer.external_id), col(Customer.name)).join(
        Customer, col(Customer.id) == col(AuditEvent.customer_id), isouter=True
    )
    if customer_id is not None:
        query = query.where(col(AuditEvent.customer_id) == customer_id)
    if since is not None:
        query = query.where(
            col(AuditEvent.occurred_at) >= datetime.combine(since, time(), tzinfo=UTC)
        )
    if until is not None:
        query = query.where(
            col(AuditEvent.occurred_at)
            < datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
        )
    return query


def export_csv(
    engine: Engine,
    out: TextIO,
    *,
    customer: str | None = None,
    since: date | None = None,
    until: date | None = None,
    batch: int = 5000,
) -> int:
    """Write the matching events, oldest first, streamed in batches; returns how many."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    written, after = 0, 0
    with read_only(engine) as session:
        customer_id = find_customer(session, customer).id if customer else None
        while True:
            rows = session.exec(
                _filtered(customer_id, since, until)
                .where(col(AuditEvent.seq) > after)
                .order_by(col(AuditEvent.seq))
                .limit(batch)
            ).all()
            if not rows:
                return written
            for event, external_id, name in rows:
                writer.writerow(
                    cell(value)
                    for value in (
                        event.seq,
                        event.occurred_at.isoformat(),
                        event.actor,
                        event.kind,
                        external_id or "",
                        name or "",
                        event.invoice_numbers,
                        event.channel,
                        event.content,
                        event.prev_hash,
                        event.hash,
                    )
                )
            written += len(rows)
            after = rows[-1][0].seq
            session.expunge_all()


@dataclass(frozen=True)
class EventLine:
    """One event of the written record, as a reader sees it."""

    seq: int
    occurred_at: datetime
    kind: str
    actor: str
    content: dict[str, Any]


def last_events(engine: Engine, subject: str, most: int = 15) -> tuple[str, list[EventLine]]:
    """The latest events about a customer (name or id) or an invoice number."""
    with read_only(engine) as session:
        try:
            invoice = find_invoice(session, subject)
        except Invalid:
            customer = find_customer(session, subject)
            title = customer.name
            where: sa.ColumnElement[bool] = col(AuditEvent.customer_id) == customer.id
        else:
            title = f"invoice {invoice.number}"
            where = sa.exists().where(
                col(AuditEventInvoice.event_seq) == col(AuditEvent.seq),
                col(AuditEventInvoice.number) == invoice.number,
            )
        events = [
            EventLine(e.seq, e.occurred_at, e.kind, e.actor, json.loads(e.content))
            for e in session.exec(
                select(AuditEvent).where(where).order_by(col(AuditEvent.seq).desc()).limit(most)
            )
        ]
    return title, events
