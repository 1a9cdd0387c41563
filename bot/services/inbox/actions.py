"""What a person does about a customer's message, from under it in Slack: record a dispute or
a promise it contains, note that the customer says they paid, or say whose an unmatched
message is. Each reuses the service that the slash commands use, for the customer the message
was matched to; what it overtakes stops at once (services/overtaken.py), and the reminders
whose cards show something new are returned for Slack to re-render."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only, unit_of_work
from bot.domain.inbound import Kind
from bot.domain.overtaking import WHOLE_ACCOUNT
from bot.models import Customer, InboundMessage, Invoice
from bot.rendering.staff_text import N_, Phrase, phrase
from bot.services import audit
from bot.services.accounts.disputes import open_dispute
from bot.services.accounts.pauses import hold
from bot.services.accounts.promises import check_date, promise_on_account
from bot.services.common.errors import Invalid
from bot.services.common.lookup import find_customer
from bot.services.common.queries import get, id_of
from bot.services.inbox.mailbox import Effect, apply_effect
from bot.services.inbox.replies_waiting import mark_handled
from bot.services.reminders.overtaken import NOTHING, Touched, overtake


@dataclass(frozen=True)
class OpenAccount:
    inbound_id: int
    customer_name: str
    invoices: tuple[str, ...]  # open invoice numbers, oldest due first


@dataclass(frozen=True)
class Acted:
    """An action on a customer's message, done: whose it was, and their reminders that were
    awaiting a decision (the overtaken ones now expired), for their cards and worklists."""

    customer_name: str
    touched: Touched


def _customer_of(session: Session, inbound_id: int) -> Customer:
    row = session.get(InboundMessage, inbound_id)
    if row is None or row.customer_id is None:
        raise Invalid(N_("This message has no customer yet."))
    customer = session.get(Customer, row.customer_id)
    assert customer is not None  # a foreign key
    return customer


def _open_invoices(session: Session, customer_id: int) -> list[Invoice]:
    return list(
        session.exec(
            select(Invoice)
            .where(
                col(Invoice.customer_id) == customer_id,
                col(Invoice.amount_minor) > Invoice.paid_minor,
            )
            .order_by(col(Invoice.due_date), col(Invoice.number))
        ).all()
    )


def open_account(engine: Engine, inbound_id: int) -> OpenAccount:
    with read_only(engine) as session:
        customer = _customer_of(session, inbound_id)
        invoices = _open_invoices(session, id_of(customer))
    if not invoices:
        raise Invalid(phrase("{customer} has no open invoice.", customer=customer.name))
    return OpenAccount(inbound_id, customer.name, tuple(i.number for i in invoices[:100]))


def dispute(engine: Engine, inbound_id: int, numbers: list[str], reason: str, user: str) -> Acted:
    """One dispute per invoice picked (each must be this customer's and open)."""
    account = open_account(engine, inbound_id)
    if not numbers:
        raise Invalid(N_("Pick the invoices the customer disputes."))
    foreign = [n for n in numbers if n not in account.invoices]
    if foreign:
        raise Invalid(
            phrase(
                "Not an open invoice of {customer}: {numbers}",
                customer=account.customer_name,
                numbers=", ".join(foreign),
            )
        )
    touched = NOTHING
    for number in numbers:
        touched |= open_dispute(engine, number, reason, user)
    with unit_of_work(engine) as session:
        mark_handled(session, user, inbound_id=inbound_id)
    return Acted(account.customer_name, touched)


def promise(
    engine: Engine,
    inbound_id: int,
    promised: date,
    amount: Decimal | None,
    user: str,
    today: date,
) -> Acted:
    check_date(promised, today)
    with unit_of_work(engine) as session:
        customer = _customer_of(session, inbound_id)
        invoices = _open_invoices(session, id_of(customer))
        if not invoices:
            raise Invalid(phrase("{customer} has no open invoice.", customer=customer.name))
        mark_handled(session, user, inbound_id=inbound_id)
        made = promise_on_account(session, invoices, promised, amount, user, "email")
        return Acted(customer.name, made.touched)


def reported_paid(engine: Engine, inbound_id: int, user: str) -> Acted:
    """The customer says they paid: reminders hold, and the next import (which brings the
    payments) tells whether it is so."""
    with unit_of_work(engine) as session:
        customer = _customer_of(session, inbound_id)
        audit.append(
            session,
            audit.NewEvent(
                kind="reported_paid",
                actor=user,
                customer_id=customer.id,
                channel="email",
                content={"inbound_id": inbound_id},
            ),
        )
        if not customer.paused or customer.paused_until is not None:
            hold(session, customer, user, None, "the customer says they paid: check next import")
        mark_handled(session, user, inbound_id=inbound_id)
        fact = phrase("the customer says they paid (the next import shows it)")
        return Acted(customer.name, overtake(session, id_of(customer), WHOLE_ACCOUNT, user, fact))


def assign(engine: Engine, inbound_id: int, query: str, user: str, today: date) -> str:
    """A person tells whose an unmatched message is: it takes the effect it would have had
    (a hold, a failing address), and is posted again, in that customer's card thread."""
    with unit_of_work(engine) as session:
        row = session.get(InboundMessage, inbound_id)
        if row is None:
            raise Invalid(N_("No such message."))
        if row.customer_id is not None:
            raise Invalid(N_("This message was assigned already."))
        customer = find_customer(session, query)
        consequence = (
            apply_effect(session, customer, Effect.of_record(row), today)
            if row.kind != Kind.UNREADABLE
            else phrase("set aside: nothing to apply")
        )
        summary = {**json.loads(row.summary), "consequence": consequence.stored()}
        row.customer_id, row.matched_by, row.summary = customer.id, "person", json.dumps(summary)
        row.slack_channel, row.slack_ts, row.post_claimed_until = "", "", None
        audit.append(
            session,
            audit.NewEvent(
                kind="inbound_assigned",
                actor=user,
                customer_id=customer.id,
                channel="email",
                content={"inbound_id": inbound_id, "consequence": str(consequence)},
            ),
        )
        return customer.name


@dataclass(frozen=True)
class Confirmed:
    customer_id: int
    consequence: Phrase  # what it changed, in words


def confirm(engine: Engine, inbound_id: int, user: str, today: date) -> Confirmed:
    """A person vouches for a message that was not authenticated as its customer's: it takes
    the effect it would have had (a hold, a failing address), once — the first click wins, a
    second one is told so."""
    with unit_of_work(engine) as session:
        claimed = session.exec(
            sa.update(InboundMessage)
            .where(
                col(InboundMessage.id) == inbound_id,
                col(InboundMessage.awaiting_confirmation).is_(True),
                col(InboundMessage.customer_id).is_not(None),
            )
            .values(awaiting_confirmation=False, confirmed_by=user)
        )
        if claimed.rowcount != 1:
            raise Invalid(N_("This message waits for no confirmation (confirmed already?)."))
        row = get(session, InboundMessage, inbound_id)
        customer = _customer_of(session, inbound_id)
        consequence = apply_effect(session, customer, Effect.of_record(row), today)
        row.summary = json.dumps({**json.loads(row.summary), "consequence": consequence.stored()})
        audit.append(
            session,
            audit.NewEvent(
                kind="inbound_confirmed",
                actor=user,
                customer_id=customer.id,
                channel="email",
                content={"inbound_id": inbound_id, "consequence": str(consequence)},
            ),
        )
        return Confirmed(id_of(customer), consequence)
