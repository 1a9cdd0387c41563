"""A person decides a bank line: *Apply to …* (what matching proposed, or the invoices they
chose) or *Not a customer payment* — exactly once. The decision is a conditional update of the
line (`… WHERE state IN ('suggested', 'to_decide')`): of two clicks at the same moment one
wins, the other is told who decided first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only, unit_of_work
from bot.domain.money import from_minor, to_minor
from bot.domain.msgid import Phrase, phrase
from bot.domain.payment_matching import OpenInvoice, allocate
from bot.domain.states import BankLineState, move
from bot.models import OPEN_INVOICE, BankLine, BankStatement, Customer, Invoice, utcnow
from bot.services.accounts.payments import follow_up_payments
from bot.services.cash._applying import BalanceChanged, Paying, learn_iban, overtake_paid, pay
from bot.services.common.queries import get, in_sources
from bot.services.reminders.compose import Composer


@dataclass(frozen=True)
class Candidate:
    number: str
    balance: Decimal
    due: date


@dataclass(frozen=True)
class LineView:
    """A bank line as its card shows it."""

    id: int
    booked: date
    amount: Decimal
    currency: str
    payer_name: str
    payer_iban: str
    remittance: str
    state: BankLineState
    why: str
    customer: str  # the customer matching found, "" when none
    proposed: tuple[tuple[str, Decimal], ...]  # what *Apply to …* applies
    candidates: tuple[Candidate, ...]  # what *Choose invoices…* offers (still open)
    decided_by: str
    unapplied: Decimal
    slack_channel: str
    slack_ts: str

    @property
    def open(self) -> bool:
        return self.state in (BankLineState.SUGGESTED, BankLineState.TO_DECIDE)


@dataclass(frozen=True)
class LineDecided:
    """One click's outcome: `won` False when someone decided first; `problem` when nothing
    could be applied (an invoice paid meanwhile, nothing chosen)."""

    won: bool
    line: LineView
    problem: Phrase | None = None  # worded for the person who clicked


def _open_invoices(session: Session, numbers: Sequence[str]) -> list[OpenInvoice]:
    return [
        OpenInvoice(i.number, i.customer_id, i.currency, i.balance, i.due_date)
        for i in session.exec(
            select(Invoice).where(col(Invoice.number).in_(list(numbers)), OPEN_INVOICE)
        )
    ]


def _view(session: Session, line: BankLine) -> LineView:
    customer = session.get(Customer, line.customer_id) if line.customer_id else None
    proposed = tuple(
        (str(number), from_minor(int(minor), line.currency))
        for number, minor in json.loads(line.proposed)
    )
    numbers = [str(n) for n in json.loads(line.candidates)] or [n for n, _a in proposed]
    if customer is not None and not numbers:  # the payer known: their open invoices
        numbers = list(
            session.exec(
                select(Invoice.number).where(col(Invoice.customer_id) == customer.id, OPEN_INVOICE)
            )
        )
    candidates = tuple(
        Candidate(i.number, i.balance, i.due)
        for i in sorted(_open_invoices(session, numbers), key=lambda i: (i.due, i.number))
    )
    assert line.id is not None
    return LineView(
        line.id,
        line.booked_on,
        from_minor(line.amount_minor, line.currency),
        line.currency,
        line.payer_name,
        line.payer_iban,
        line.remittance,
        line.state,
        line.why,
        customer.name if customer is not None else "",
        proposed,
        candidates[:50],
        line.decided_by,
        from_minor(line.unapplied_minor, line.currency),
        line.slack_channel,
        line.slack_ts,
    )


def line_view(engine: Engine, line_id: int) -> LineView:
    with read_only(engine) as session:
        return _view(session, get(session, BankLine, line_id))


def lines_to_decide(engine: Engine, statement_id: int) -> list[LineView]:
    """A statement's lines waiting for a person, in the file's order."""
    with read_only(engine) as session:
        return [
            _view(session, line)
            for line in session.exec(
                select(BankLine)
                .where(
                    col(BankLine.statement_id) == statement_id,
                    in_sources(BankLine.state, move(BankLineState.NOT_PAYMENT)),
                )
                .order_by(col(BankLine.id))
            )
        ]


@dataclass(frozen=True)
class Waiting:
    """The bank lines waiting for a person on someone's Home: the oldest first, and how many
    there are in all."""

    lines: tuple[LineView, ...]
    total: int


def waiting_for(engine: Engine, owner: str, limit: int) -> Waiting:
    """The lines to decide whose matched customer `owner` chases (the invoice owner knows who
    pays what), at most `limit` of them."""
    deciding = in_sources(BankLine.state, move(BankLineState.NOT_PAYMENT))
    theirs = sa.and_(col(Customer.owner) == owner, deciding)
    with read_only(engine) as session:
        total = (
            session.connection()
            .execute(
                sa.select(sa.func.count())
                .select_from(BankLine)
                .join(Customer, col(Customer.id) == col(BankLine.customer_id))
                .where(theirs)
            )
            .scalar_one()
        )
        rows = session.exec(
            select(BankLine)
            .join(Customer, col(Customer.id) == col(BankLine.customer_id))
            .where(theirs)
            .order_by(col(BankLine.id))
            .limit(limit)
        ).all()
        return Waiting(tuple(_view(session, line) for line in rows), total)


def card_posted(engine: Engine, line_id: int, channel: str, ts: str) -> None:
    """Where the line's card is, so it is updated in place after a decision."""
    with unit_of_work(engine) as session:
        session.exec(
            sa.update(BankLine)
            .where(col(BankLine.id) == line_id)
            .values(slack_channel=channel, slack_ts=ts)
        )


def summary_posted(engine: Engine, statement_id: int, channel: str, ts: str) -> None:
    """Where a statement's summary is (its cards are in that thread)."""
    with unit_of_work(engine) as session:
        session.exec(
            sa.update(BankStatement)
            .where(col(BankStatement.id) == statement_id)
            .values(slack_channel=channel, slack_ts=ts)
        )


def _claim(session: Session, line_id: int, target: BankLineState, actor: str) -> bool:
    moving = move(target)
    done = session.exec(
        sa.update(BankLine)
        .where(col(BankLine.id) == line_id, in_sources(BankLine.state, moving))
        .values(state=moving.target, decided_by=actor, decided_at=utcnow())
    )
    return bool(done.rowcount)


def not_a_payment(engine: Engine, line_id: int, actor: str) -> LineDecided:
    with unit_of_work(engine) as session:
        won = _claim(session, line_id, BankLineState.NOT_PAYMENT, actor)
        return LineDecided(won, _view(session, get(session, BankLine, line_id)))


def _chosen(session: Session, line: BankLine, numbers: Sequence[str]) -> list[OpenInvoice]:
    """The open invoices a line pays: those a person chose, else those matching proposed (or
    the one candidate); all open, of one customer, in the line's currency."""
    chosen = list(numbers) or [n for n, _m in json.loads(line.proposed)]
    if not chosen and len(json.loads(line.candidates)) == 1:
        chosen = list(json.loads(line.candidates))
    invoices = _open_invoices(session, chosen)
    if not invoices or len(invoices) != len(set(chosen)):
        raise BalanceChanged(phrase("choose open invoices to apply it to"))
    customers = {i.customer_id for i in invoices}
    if len(customers) != 1 or {i.currency for i in invoices} != {line.currency}:
        raise BalanceChanged(
            phrase("choose invoices of one customer, in {currency}", currency=line.currency)
        )
    return invoices


def apply_line(
    engine: Engine,
    line_id: int,
    actor: str,
    *,
    composer: Composer,
    run_date: date,
    numbers: Sequence[str] = (),
) -> LineDecided:
    """Apply a line's money: to `numbers` when a person chose them (the oldest due paid
    first, the rest kept as unapplied credit), else to what matching proposed. The IBAN it
    came from is learnt for that customer; what it pays in full is overtaken at once."""
    problem: Phrase | None = None
    closed: tuple[str, ...] = ()
    try:
        with unit_of_work(engine) as session:
            if not _claim(session, line_id, BankLineState.APPLIED, actor):
                return LineDecided(False, _view(session, get(session, BankLine, line_id)))
            line = get(session, BankLine, line_id)
            session.refresh(line)
            invoices = _chosen(session, line, numbers)
            amount = from_minor(line.amount_minor, line.currency)
            allocations, surplus = allocate(amount, invoices)
            customer_id = invoices[0].customer_id
            now = utcnow()
            paid = pay(
                session,
                [
                    Paying(
                        line_id,
                        customer_id,
                        line.currency,
                        line.reference,
                        f"statement {line.statement_id}",
                        line.rule,
                        tuple((a.number, to_minor(a.amount, line.currency)) for a in allocations),
                        to_minor(surplus, line.currency),
                    )
                ],
                actor,
                now,
            )
            line.customer_id = customer_id
            line.unapplied_minor = to_minor(surplus, line.currency)
            learn_iban(session, line, customer_id, actor)
            overtake_paid(session, paid, actor, by_hand=True)
            closed = paid[0].closed
    except BalanceChanged as exc:
        problem = exc.phrase
    if closed:
        follow_up_payments(engine, composer, closed, run_date, actor=actor)
    with read_only(engine) as session:
        view = _view(session, get(session, BankLine, line_id))
    return LineDecided(problem is None, view, problem)
