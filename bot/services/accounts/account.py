"""A customer's account at a glance (`/relance customer`): balance, invoices with their
lateness, open promises and disputes, pause, and the last contacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import read_only
from bot.domain.aging import days_overdue
from bot.domain.money import Money, open_minor, totals_by_currency
from bot.domain.states import PromiseState
from bot.models import Contact, Dispute, Promise
from bot.services.cash.totals import AppliedPayment, applied_to
from bot.services.common.lookup import find_customer, open_invoices
from bot.services.common.queries import id_of


@dataclass(frozen=True)
class InvoiceState:
    number: str
    balance: Money
    due_date: date
    days_late: int
    disputed: str  # the reason, if disputed
    promised: date | None


@dataclass(frozen=True)
class ContactLine:
    when: datetime
    channel: str
    stage: str
    outcome: str
    actor: str


@dataclass(frozen=True)
class CustomerCard:
    """Who the customer is and how to reach them."""

    external_id: str  # the ledger's id, which the page's links are signed with
    name: str
    contact_name: str
    email: str
    phone: str
    country: str
    language: str
    paused: bool
    paused_until: date | None


@dataclass(frozen=True)
class CustomerAccount:
    """Not to be confused with `domain.escalation.Account`, the policy's view of the same
    customer: this one is what a person reads."""

    customer: CustomerCard
    invoices: list[InvoiceState]
    contacts: list[ContactLine]
    payments: list[AppliedPayment] = field(default_factory=list)  # from bank statements

    def balances(self) -> list[Money]:
        return totals_by_currency(i.balance for i in self.invoices)


def account(engine: Engine, query: str, today: date, contacts: int = 5) -> CustomerAccount:
    with read_only(engine) as session:
        customer = find_customer(session, query)
        invoices = open_invoices(session, id_of(customer))
        ids = [i.id for i in invoices]
        disputes = {
            d.invoice_id: d.reason
            for d in session.exec(
                select(Dispute).where(
                    col(Dispute.invoice_id).in_(ids), col(Dispute.resolved_at).is_(None)
                )
            )
        }
        promises = {
            p.invoice_id: p.promised_date
            for p in session.exec(
                select(Promise).where(
                    col(Promise.invoice_id).in_(ids), col(Promise.state) == PromiseState.OPEN
                )
            )
        }
        recent = session.exec(
            select(Contact)
            .where(col(Contact.customer_id) == customer.id)
            .order_by(col(Contact.occurred_at).desc())
            .limit(contacts)
        ).all()
        payments = applied_to(session, id_of(customer))
    return CustomerAccount(
        customer=CustomerCard(
            customer.external_id,
            customer.name,
            customer.contact_name,
            customer.email,
            customer.phone,
            customer.country,
            customer.language,
            customer.paused,
            customer.paused_until,
        ),
        invoices=[
            InvoiceState(
                i.number,
                Money.of_minor(open_minor(i.amount_minor, i.paid_minor), i.currency),
                i.due_date,
                max(0, days_overdue(i.due_date, today)),
                disputes.get(id_of(i), ""),
                promises.get(id_of(i)),
            )
            for i in invoices
        ],
        contacts=[
            ContactLine(c.occurred_at, c.channel, c.stage, c.outcome, c.actor) for c in recent
        ],
        payments=payments,
    )
