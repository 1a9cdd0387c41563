"""Today's suggestions: every customer with open invoices gets a decision — a reminder to
approve, or the reason none is due — computed from the database in a handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only, unit_of_work
from bot.domain.calendar import local_today
from bot.domain.escalation import Account, Decision, OpenItem, PastContact, Suggestion, decide
from bot.domain.policy import Policy
from bot.models import Contact, Customer, Dispute, Invoice, Promise, Reminder
from bot.services import audit, plans
from bot.services.compose import Composer


class CustomerView(NamedTuple):
    """The customer columns suggesting needs, read as plain rows."""

    id: int
    external_id: str
    name: str
    contact_name: str
    email: str
    language: str
    country: str
    timezone: str
    address: str
    paused: bool
    paused_until: date | None
    email_problem: str


@dataclass(frozen=True)
class CustomerDecision:
    customer: CustomerView
    decision: Decision


def load_accounts(session: Session) -> list[tuple[CustomerView, Account]]:
    """Every customer with an open invoice, with what the policy needs to know about them."""
    open_filter = Invoice.amount_minor > Invoice.paid_minor
    # Core rows on the session's connection, not the ORM: a ledger has a hundred thousand open
    # invoices, and building ORM results costs more than reading them.
    conn = session.connection()
    invoices = conn.execute(
        sa.select(
            Invoice.id,
            Invoice.number,
            Invoice.customer_id,
            Invoice.currency,
            Invoice.amount_minor,
            Invoice.paid_minor,
            Invoice.due_date,
            Invoice.payment_link,
        ).where(open_filter)
    ).all()
    if not invoices:
        return []
    customers = [
        CustomerView(*row)
        for row in conn.execute(
            sa.select(*(getattr(Customer, name) for name in CustomerView._fields)).where(
                col(Customer.id).in_(select(Invoice.customer_id).where(open_filter).distinct())
            )
        ).all()
    ]
    disputed = set(
        session.exec(select(Dispute.invoice_id).where(col(Dispute.resolved_at).is_(None))).all()
    )
    promised = dict(
        session.exec(
            sa.select(Promise.invoice_id, sa.func.max(Promise.promised_date))
            .where(Promise.state == "open")
            .group_by(Promise.invoice_id)
        ).all()
    )

    on_plan = plans.holds(session)  # a plan on track holds like a promise to its next date
    items_by_customer: dict[int, list[OpenItem]] = defaultdict(list)
    earliest_due = date.max
    for invoice_id, number, customer_id, currency, amount, paid, due, link in invoices:
        items_by_customer[customer_id].append(
            OpenItem(
                number,
                currency,
                amount - paid,
                due,
                invoice_id in disputed,
                max(filter(None, (promised.get(invoice_id), on_plan.get(number))), default=None),
                link,
            )
        )
        earliest_due = min(earliest_due, due)

    since = datetime.combine(earliest_due, datetime.min.time(), tzinfo=UTC)
    zones = {c.id: c.timezone for c in customers}
    contacts_by_customer: dict[int, list[PastContact]] = defaultdict(list)
    for customer_id, occurred, channel, stage, wording in conn.execute(
        sa.select(
            Contact.customer_id,
            Contact.occurred_at,
            Contact.channel,
            Contact.stage,
            Contact.wording,
        )
        .where(Contact.occurred_at >= since, Contact.stage != "thanks")
        .order_by(Contact.customer_id, Contact.occurred_at)
    ).all():
        if customer_id in zones:
            contacts_by_customer[customer_id].append(
                PastContact(local_today(occurred, zones[customer_id]), stage, channel, wording)
            )
    return [
        (
            customer,
            Account(
                customer_id=customer.id,
                country=customer.country,
                timezone=customer.timezone,
                invoices=tuple(items_by_customer[customer.id]),
                contacts=tuple(contacts_by_customer[customer.id]),
                paused=customer.paused,
                paused_until=customer.paused_until,
                email_failing=bool(customer.email_problem),
            ),
        )
        for customer in sorted(customers, key=lambda c: c.name.casefold())
    ]


def todays_decisions(session: Session, policy: Policy, now: datetime) -> list[CustomerDecision]:
    return [
        CustomerDecision(customer, decide(account, policy, now))
        for customer, account in load_accounts(session)
    ]


@dataclass(frozen=True)
class SuggestionRun:
    run_date: date
    created: list[Reminder]
    decisions: list[CustomerDecision]


def _suggested_today(session: Session, run_date: date) -> set[int]:
    return set(
        session.exec(select(Reminder.customer_id).where(Reminder.run_date == run_date)).all()
    )


def suggest(
    engine: Engine,
    policy: Policy,
    composer: Composer,
    now: datetime,
    run_date: date,
    actor: str = "relance",
) -> SuggestionRun:
    """Store today's suggestions as reminders awaiting a decision (once per customer per day),
    and retire yesterday's undecided ones: their amounts and stage may no longer hold.

    Deciding and rendering happen before the write transaction, so on SQLite the write lock
    is held only for the inserts, not while thousands of texts are rendered."""
    with read_only(engine) as session:
        decisions = todays_decisions(session, policy, now)
        already = _suggested_today(session, run_date)
    drafted = [
        (
            item.customer,
            item.decision,
            composer.draft(item.customer, item.decision, local_today(now, item.customer.timezone)),
        )
        for item in decisions
        if isinstance(item.decision, Suggestion) and item.customer.id not in already
    ]
    with unit_of_work(engine) as session:
        session.exec(
            sa.update(Reminder)
            .where(Reminder.state == "suggested", Reminder.run_date < run_date)
            .values(state="expired")
        )
        already = _suggested_today(session, run_date)  # another instance may have been quicker
        rows = [
            {
                "customer_id": customer.id,
                "run_date": run_date,
                "stage": decision.stage.name,
                "channel": decision.stage.channel.value,
                "language": draft.language,
                "wording": draft.wording,
                "invoice_numbers": ",".join(i.number for i in decision.invoices),
                "subject": draft.subject,
                "body_text": draft.text,
                "body_html": draft.html,
                "letter_text": draft.letter,
                "send_after": decision.send_after,
            }
            for customer, decision, draft in drafted
            if customer.id not in already
        ]
        # One bulk insert, then one query for the stored rows: building thousands of validated
        # model objects one by one cost more than rendering their texts, and INSERT ... RETURNING
        # in batches has psycopg parse megabytes of SQL.
        if rows:
            session.execute(sa.insert(Reminder), rows)
        created = [
            r
            for r in session.exec(
                select(Reminder).where(Reminder.run_date == run_date).order_by(col(Reminder.id))
            ).all()
            if r.customer_id not in already
        ]
        audit.append_many(
            session,
            [
                audit.NewEvent(
                    kind="suggested",
                    actor=actor,
                    customer_id=r.customer_id,
                    invoice_numbers=tuple(r.invoice_numbers.split(",")),
                    channel=r.channel,
                    content={
                        "reminder": r.id,
                        "stage": r.stage,
                        "wording": r.wording,
                        "subject": r.subject,
                    },
                )
                for r in created
            ],
        )
    return SuggestionRun(run_date, created, decisions)
