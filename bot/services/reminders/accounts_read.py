"""Customers' accounts as the morning decides on them, read in batches: open invoices and credits,
past contacts and the last answers, each customer's view in one query per batch, never one per
customer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from bot.domain.calendar import local_today
from bot.domain.escalation import (
    Account,
    OpenCredit,
    OpenItem,
    PastContact,
)
from bot.domain.holds import current_hold
from bot.domain.inbound import Kind
from bot.domain.states import InvoiceStatus, PromiseState
from bot.models import (
    OPEN_INVOICE,
    Contact,
    Customer,
    Dispute,
    InboundMessage,
    Invoice,
    Promise,
)
from bot.services.accounts import plan_status
from bot.services.common.queries import stored_id


class CustomerView(NamedTuple):
    """The customer columns suggesting needs, read as plain rows."""

    id: int
    external_id: str
    name: str
    contact_name: str
    salutation: str
    email: str
    language: str
    country: str
    timezone: str
    address: str
    paused: bool
    paused_until: date | None
    governing_law: str
    hold_reason: str
    held_until: date | None
    held_email: str
    owner: str
    segment: str
    email_problem: str


def _of_customers(
    column: Mapped[int] | Mapped[int | None],
    only: Collection[int] | None,
    between: tuple[int, int] | None,
) -> sa.ColumnElement[bool]:
    if only is not None:
        return column.in_(sorted(only))
    if between is not None:
        return column.between(*between)
    return sa.true()


def customer_batches(engine: Engine, size: int) -> Iterator[tuple[int, int]]:
    """The customers' ids in consecutive ranges of at most `size` customers (keyset pagination,
    each range read on its own): a morning decides and stores one range at a time, so its
    memory does not grow with the ledger."""
    last = 0
    while True:
        page = (
            sa.select(col(Customer.id).label("id"))
            .where(col(Customer.id) > last)
            .order_by(col(Customer.id))
            .limit(size)
            .subquery()
        )
        with engine.connect() as conn:
            first, last_id = conn.execute(
                sa.select(sa.func.min(page.c.id), sa.func.max(page.c.id))
            ).one()
        if first is None:
            return
        yield int(first), int(last_id)
        last = int(last_id)


#: An open invoice as load_accounts reads it: id, number, customer, currency, amount, paid, due
#: date, payment link, issue date.
_InvoiceRow = sa.Row[int | None, str, int, str, int, int, date, str, date]


def load_accounts(
    session: Session,
    only: Collection[int] | None = None,
    between: tuple[int, int] | None = None,
) -> list[tuple[CustomerView, Account]]:
    """Every customer with an open invoice (or those of them in `only`, or with an id `between`
    the two given), with what the policy needs to know about them."""
    open_filter = sa.and_(OPEN_INVOICE, _of_customers(col(Invoice.customer_id), only, between))
    # Core rows on the session's connection, not the ORM: a ledger has a hundred thousand open
    # invoices, and building ORM results costs more than reading them.
    conn = session.connection()
    invoices = conn.execute(
        sa.select(
            col(Invoice.id),
            col(Invoice.number),
            col(Invoice.customer_id),
            col(Invoice.currency),
            col(Invoice.amount_minor),
            col(Invoice.paid_minor),
            col(Invoice.due_date),
            col(Invoice.payment_link),
            col(Invoice.issue_date),
        ).where(open_filter)
    ).all()
    if not invoices:
        return []
    customers = [
        CustomerView(*row)
        for row in conn.execute(
            sa.select(*(getattr(Customer, name) for name in CustomerView._fields)).where(
                col(Customer.id).in_(select(Invoice.customer_id).where(open_filter).distinct()),
                # said of the customer too, or PostgreSQL reads every customer for each batch
                _of_customers(col(Customer.id), only, between),
            )
        ).all()
    ]
    return _accounts(session, customers, invoices, only, between)


def _accounts(
    session: Session,
    customers: list[CustomerView],
    invoices: Sequence[_InvoiceRow],
    only: Collection[int] | None,
    between: tuple[int, int] | None,
) -> list[tuple[CustomerView, Account]]:
    """Each customer's account as the policy sees it, in name order."""
    since = datetime.combine(min(row.due_date for row in invoices), datetime.min.time(), UTC)
    items = _open_items(session, invoices)
    credits = _open_credits(session, only, between)
    contacts = _past_contacts(session, since, {c.id: c.timezone for c in customers}, only, between)
    answered = last_answers(session, since, only)
    return [
        (
            customer,
            Account(
                customer_id=customer.id,
                country=customer.country,
                timezone=customer.timezone,
                invoices=tuple(items[customer.id]),
                contacts=tuple(contacts[customer.id]),
                paused=customer.paused,
                paused_until=customer.paused_until,
                hold=current_hold(
                    customer.hold_reason, customer.held_until, customer.held_email, customer.email
                ),
                email_failing=bool(customer.email_problem),
                credits=tuple(credits[customer.id]),
                last_answer=(
                    local_today(answered[customer.id], customer.timezone)
                    if customer.id in answered
                    else None
                ),
            ),
        )
        for customer in sorted(customers, key=lambda c: c.name.casefold())
    ]


def _open_items(session: Session, invoices: Sequence[_InvoiceRow]) -> dict[int, list[OpenItem]]:
    """The open invoices by customer, each with whether it is disputed and until when a
    promise or a plan on track holds it."""
    disputed = set(
        session.exec(select(Dispute.invoice_id).where(col(Dispute.resolved_at).is_(None))).all()
    )
    promised: dict[int, date] = dict(
        session.execute(
            sa.select(col(Promise.invoice_id), sa.func.max(col(Promise.promised_date)))
            .where(col(Promise.state) == PromiseState.OPEN)
            .group_by(col(Promise.invoice_id))
        ).all()
    )
    on_plan = plan_status.holds(session)  # a plan on track holds like a promise to its next date
    items_by_customer: dict[int, list[OpenItem]] = defaultdict(list)
    for invoice_id, number, customer_id, currency, amount, paid, due, link, issued in invoices:
        held = None  # until when a promise or a plan holds it (most invoices: neither)
        if invoice_id in promised or number in on_plan:
            held = max(filter(None, (promised.get(stored_id(invoice_id)), on_plan.get(number))))
        items_by_customer[customer_id].append(
            OpenItem(
                number, currency, amount - paid, due, invoice_id in disputed, held, link, issued
            )
        )
    return items_by_customer


def _open_credits(
    session: Session, only: Collection[int] | None, between: tuple[int, int] | None
) -> dict[int, list[OpenCredit]]:
    """The credit notes not yet applied, by customer, oldest first."""
    credits_by_customer: dict[int, list[OpenCredit]] = defaultdict(list)
    for number, customer_id, currency, amount, paid, issued in (
        session.connection()
        .execute(
            sa.select(
                col(Invoice.number),
                col(Invoice.customer_id),
                col(Invoice.currency),
                col(Invoice.amount_minor),
                col(Invoice.paid_minor),
                col(Invoice.issue_date),
            )
            .where(
                col(Invoice.amount_minor) < col(Invoice.paid_minor),
                col(Invoice.status) == InvoiceStatus.OPEN,
            )
            .where(_of_customers(col(Invoice.customer_id), only, between))
            .order_by(col(Invoice.issue_date), col(Invoice.number))
        )
        .all()
    ):
        credits_by_customer[customer_id].append(OpenCredit(number, currency, paid - amount, issued))
    return credits_by_customer


def _past_contacts(
    session: Session,
    since: datetime,
    zones: dict[int, str],
    only: Collection[int] | None,
    between: tuple[int, int] | None,
) -> dict[int, list[PastContact]]:
    """The contacts since `since` (not the thank-you notes), by customer, oldest first, each on
    the customer's own date (`zones`: their time zones)."""
    contacts_by_customer: dict[int, list[PastContact]] = defaultdict(list)
    for customer_id, occurred, channel, stage, wording in (
        session.connection()
        .execute(
            sa.select(
                col(Contact.customer_id),
                col(Contact.occurred_at),
                col(Contact.channel),
                col(Contact.stage),
                col(Contact.wording),
            )
            .where(col(Contact.occurred_at) >= since, col(Contact.stage) != "thanks")
            .where(_of_customers(col(Contact.customer_id), only, between))
            .order_by(col(Contact.customer_id), col(Contact.occurred_at))
        )
        .all()
    ):
        if customer_id in zones:
            contacts_by_customer[customer_id].append(
                PastContact(local_today(occurred, zones[customer_id]), stage, channel, wording)
            )
    return contacts_by_customer


def last_answers(
    session: Session, since: datetime, only: Collection[int] | None = None
) -> dict[int, datetime]:
    """When each customer last answered (a reply read from the mailbox, a promise, a dispute)
    since `since`: three grouped queries, whatever the number of customers."""
    conn = session.connection()
    scope = sa.true() if only is None else col(Invoice.customer_id).in_(sorted(only))
    found: dict[int, datetime] = {}
    queries = [
        sa.select(col(InboundMessage.customer_id), sa.func.max(col(InboundMessage.received_at)))
        .where(
            col(InboundMessage.kind) == Kind.REPLY,
            col(InboundMessage.received_at) >= since,
            sa.true() if only is None else col(InboundMessage.customer_id).in_(sorted(only)),
        )
        .group_by(col(InboundMessage.customer_id)),
        *(
            sa.select(col(Invoice.customer_id), sa.func.max(when))
            .join(table, col(Invoice.id) == invoice_id)
            .where(when >= since, scope)
            .group_by(col(Invoice.customer_id))
            for table, invoice_id, when in (
                (Promise, col(Promise.invoice_id), col(Promise.created_at)),
                (Dispute, col(Dispute.invoice_id), col(Dispute.opened_at)),
            )
        ),
    ]
    for query in queries:
        for customer_id, latest in conn.execute(query).all():
            if customer_id is not None and latest is not None:
                latest = latest if latest.tzinfo else latest.replace(tzinfo=UTC)
                found[customer_id] = max(found.get(customer_id, latest), latest)
    return found
