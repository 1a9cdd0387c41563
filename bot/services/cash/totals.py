"""What the digest says of cash: what bank payments applied since the last digest, and the
money received that is on no invoice yet (a surplus kept as credit, a line a person decides)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.domain.money import Money
from bot.domain.states import BankLineState
from bot.models import BankLine, CashApplication, Invoice


def collected_since(session: Session, since: datetime | None) -> dict[str, Money]:
    """Applied from bank statements since `since` (all when None), per currency; undone by a
    reversal, not counted."""
    query = (
        sa.select(col(Invoice.currency), sa.func.sum(col(CashApplication.amount_minor)))
        .join(Invoice, col(Invoice.id) == col(CashApplication.invoice_id))
        .where(col(CashApplication.undone_at).is_(None))
        .group_by(col(Invoice.currency))
    )
    if since is not None:
        query = query.where(col(CashApplication.applied_at) >= since)
    return {c: Money.of_minor(int(t), c) for c, t in session.connection().execute(query)}


def unapplied(session: Session) -> dict[str, Money]:
    """Money received and on no invoice, per currency."""
    waiting = sa.case(
        (
            col(BankLine.state).in_((BankLineState.SUGGESTED, BankLineState.TO_DECIDE))
            & col(BankLine.credit)
            & ~col(BankLine.reversal),
            col(BankLine.amount_minor),
        ),
        (col(BankLine.state) == BankLineState.APPLIED, col(BankLine.unapplied_minor)),
        else_=0,
    )
    rows = session.connection().execute(
        sa.select(col(BankLine.currency), sa.func.sum(waiting)).group_by(col(BankLine.currency))
    )
    return {c: Money.of_minor(int(t), c) for c, t in rows if t}


@dataclass(frozen=True)
class AppliedPayment:
    """A bank payment put on one of a customer's invoices, as their account shows it."""

    applied_at: datetime
    number: str
    amount: Money
    decided_by: str  # "import" when the reference rule applied it
    undone: bool  # reversed by the bank since


def applied_to(session: Session, customer_id: int, most: int = 5) -> list[AppliedPayment]:
    """The customer's latest bank payments applied, newest first."""
    rows = session.connection().execute(
        sa.select(
            col(CashApplication.applied_at),
            col(Invoice.number),
            col(CashApplication.amount_minor),
            col(Invoice.currency),
            col(CashApplication.decided_by),
            col(CashApplication.undone_at),
        )
        .join(Invoice, col(Invoice.id) == col(CashApplication.invoice_id))
        .where(col(Invoice.customer_id) == customer_id)
        .order_by(col(CashApplication.applied_at).desc(), col(CashApplication.id).desc())
        .limit(most)
    )
    return [
        AppliedPayment(when, number, Money.of_minor(minor, currency), who, undone is not None)
        for when, number, minor, currency, who, undone in rows
    ]
