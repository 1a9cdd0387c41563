"""Promises to pay: recorded with their date (and maybe amount), followed up at each digest.

A promise holds the reminders for its invoice until its date plus the grace period; one that
passes unpaid is marked broken (the ladder resumes), one whose invoice is paid is kept. From
whichever door it is recorded (a command, a call, a customer's message, their page), the
reminders chasing its invoices that nobody sent yet stop at once (services/overtaken.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.db import unit_of_work
from bot.domain.money import AmountError, Money, open_minor, to_minor
from bot.domain.overtaking import promised_fact
from bot.domain.promises import settled, spread
from bot.domain.states import PromiseState, move, transition
from bot.models import Invoice, Promise
from bot.rendering.staff_text import N_, phrase
from bot.services import audit
from bot.services.common.customer_policy import Policies
from bot.services.common.errors import Invalid
from bot.services.common.lookup import find_invoice
from bot.services.common.queries import id_of, in_sources
from bot.services.reminders.overtaken import Touched, overtake


@dataclass(frozen=True)
class Promised:
    """A promise recorded: the invoices it covers, and the customer's reminders it touched
    (those it overtook stopped), for their cards and worklists."""

    numbers: tuple[str, ...]
    touched: Touched


def _overtaking(session: Session, invoices: list[Invoice], promised: date, user: str) -> Promised:
    numbers = tuple(i.number for i in invoices)
    fact = promised_fact(promised)
    return Promised(numbers, overtake(session, invoices[0].customer_id, numbers, user, fact))


def _promise(
    session: Session,
    invoice: Invoice,
    promised: date,
    amount_minor: int | None,
    user: str,
    via: str,
    note: dict[str, Any] | None = None,
) -> None:
    replacing = move(PromiseState.REPLACED)
    session.exec(
        sa.update(Promise)
        .where(col(Promise.invoice_id) == invoice.id, in_sources(col(Promise.state), replacing))
        .values(state=replacing.target)
    )
    promise = Promise(
        invoice_id=id_of(invoice),
        promised_date=promised,
        amount_minor=amount_minor,
        paid_before_minor=invoice.paid_minor,
        created_by=user,
    )
    session.add(promise)
    amount = (
        str(Money.of_minor(amount_minor, invoice.currency).amount)
        if amount_minor is not None
        else "in full"
    )
    audit.append(
        session,
        audit.NewEvent(
            kind="promise",
            actor=user,
            customer_id=invoice.customer_id,
            invoice_numbers=(invoice.number,),
            channel=via,
            content={
                "date": promised.isoformat(),
                "amount": amount,
                "currency": invoice.currency,
                **(note or {}),
            },
        ),
    )


def check_date(promised: date, today: date) -> None:
    if promised < today:
        raise Invalid(
            "promise_date",
            phrase(
                "{date} is in the past: a promise is for today or later.", date=promised.isoformat()
            ),
        )


def check_amount(amount: Decimal, currency: str, balance_minor: int) -> int:
    if amount <= 0:
        raise Invalid("amount", N_("The amount must be more than zero."))
    try:
        minor = to_minor(amount, currency)
    except AmountError as exc:
        raise Invalid("amount", phrase("{error}.", error=exc.phrase)) from None
    if minor > balance_minor:
        balance = Money.of_minor(balance_minor, currency).format("en")
        raise Invalid(
            "amount",
            phrase(
                "{amount} is more than the balance still open ({balance}).",
                amount=str(amount),
                balance=balance,
            ),
        )
    return minor


def record_promise(
    engine: Engine,
    number: str,
    promised: date,
    amount: Decimal | None,
    user: str,
    today: date,
    via: str = "slack",
    note: dict[str, Any] | None = None,
) -> Promised:
    """`note` adds to the audit event what the channel knows (the page: link and address)."""
    check_date(promised, today)
    with unit_of_work(engine) as session:
        invoice = find_invoice(session, number)
        balance = open_minor(invoice.amount_minor, invoice.paid_minor)
        if balance <= 0:
            raise Invalid(phrase("Invoice {number} is already paid.", number=invoice.number))
        minor = None if amount is None else check_amount(amount, invoice.currency, balance)
        _promise(session, invoice, promised, minor, user, via, note)
        return _overtaking(session, [invoice], promised, user)


def promise_on_account(
    session: Session,
    invoices: list[Invoice],
    promised: date,
    amount: Decimal | None,
    user: str,
    channel: str = "phone",
) -> Promised:
    """A promise made for the account (on a call, or in an e-mail): an amount is spread over
    the invoices, oldest first; without one every invoice is promised in full."""
    if amount is None:
        for invoice in invoices:
            _promise(session, invoice, promised, None, user, channel)
        return _overtaking(session, invoices, promised, user)
    currency = invoices[0].currency
    if any(i.currency != currency for i in invoices):
        raise Invalid(
            "promise_date",
            N_(
                "This account has several currencies: record the promise per invoice "
                "with `/relance promise`."
            ),
        )
    balances = [open_minor(i.amount_minor, i.paid_minor) for i in invoices]
    parts = spread(check_amount(amount, currency, sum(balances)), balances)
    reached = invoices[: len(parts)]
    for invoice, part in zip(reached, parts, strict=True):
        _promise(session, invoice, promised, part, user, channel)
    return _overtaking(session, reached, promised, user)


def is_kept(promise: Promise, invoice: Invoice) -> bool:
    """Kept when the invoice is paid, or when a promised part has come in since the promise —
    on or before its date, the ladder has nothing left to chase for it."""
    if invoice.paid_minor >= invoice.amount_minor:
        return True
    return (
        promise.amount_minor is not None
        and invoice.paid_minor - promise.paid_before_minor >= promise.amount_minor
    )


def broken_and_not_renewed() -> sa.ColumnElement[bool]:
    """Broken promises the ladder really resumed on: not those whose invoice has a newer
    promise open (that one holds the invoice now)."""
    renewed = aliased(Promise)
    return sa.and_(
        col(Promise.state) == PromiseState.BROKEN,
        ~sa.exists().where(
            col(renewed.invoice_id) == col(Promise.invoice_id),
            col(renewed.state) == PromiseState.OPEN,
        ),
    )


@dataclass(frozen=True)
class Settled:
    kept: list[str]
    broken: list[str]


def settle(engine: Engine, today: date, policies: Policies) -> Settled:
    """Mark open promises kept (invoice paid) or broken (date and grace passed, unpaid), each
    with the grace of the policy that governs its customer."""
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(Promise, Invoice)
            .join(Invoice, col(Invoice.id) == col(Promise.invoice_id))
            .where(col(Promise.state) == PromiseState.OPEN)
            .order_by(col(Promise.id))
        ).all()
        governing = policies.of_customers(session, {invoice.customer_id for _, invoice in rows})
        kept, broken = [], []
        for promise, invoice in rows:
            grace = governing[invoice.customer_id].promise_grace_days
            state = settled(promise.promised_date, is_kept(promise, invoice), grace, today)
            if state is PromiseState.OPEN:
                continue
            promise.state = transition(promise.state, state)
            if state is PromiseState.KEPT:
                kept.append(invoice.number)
            else:
                broken.append(invoice.number)
                audit.append(
                    session,
                    audit.NewEvent(
                        kind="promise_broken",
                        actor="relance",
                        customer_id=invoice.customer_id,
                        invoice_numbers=(invoice.number,),
                        content={"date": promise.promised_date.isoformat()},
                    ),
                )
        return Settled(kept, broken)
