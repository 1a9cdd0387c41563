"""A customer's open credits: credit notes (negative amounts) not yet applied to an invoice.

They are never chased; they reduce what the customer owes, and a reminder lists them beside the
invoices so the amount asked for is the net one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bot.domain.money import Money
from bot.models import Invoice


@dataclass(frozen=True)
class Credit:
    number: str
    issue_date: date
    remaining: Money  # positive: what the customer may still deduct


def open_credits(session: Session, customer_id: int) -> list[Credit]:
    rows = session.exec(
        select(Invoice)
        .where(
            col(Invoice.customer_id) == customer_id,
            col(Invoice.amount_minor) < col(Invoice.paid_minor),
            col(Invoice.status) == "open",
        )
        .order_by(col(Invoice.issue_date), col(Invoice.number))
    ).all()
    return [
        Credit(i.number, i.issue_date, Money.of_minor(i.paid_minor - i.amount_minor, i.currency))
        for i in rows
    ]


def net_balances(session: Session, customer_id: int) -> dict[str, Money]:
    """What the customer owes per currency: open invoices less open credits."""
    totals: dict[str, int] = defaultdict(int)
    for invoice in session.exec(
        select(Invoice).where(
            Invoice.customer_id == customer_id,
            Invoice.amount_minor != Invoice.paid_minor,
            Invoice.status == "open",
        )
    ):
        totals[invoice.currency] += invoice.amount_minor - invoice.paid_minor
    return {currency: Money.of_minor(minor, currency) for currency, minor in totals.items()}
