"""Holding a customer by what a skip reason (or the customer's own word) means, and who is
held, until when: for the digest (`held_customers` is the one call a digest or morning run
needs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.domain.holds import Hold, current_hold
from bot.models import HELD, Customer
from bot.rendering.staff_text import Phrase


@dataclass(frozen=True)
class HeldCustomer:
    name: str
    detail: Phrase  # why, and until when ("…held until 2026-12-03, pending the next import")


def put_on_hold(customer: Customer, hold: Hold) -> None:
    """The customer held from now on, against the address they have now (a wrong-contact hold
    ends when it changes)."""
    customer.hold_reason, customer.held_until = hold.kind.value, hold.until
    customer.held_email = customer.email


def held_customers(session: Session, today: date) -> list[HeldCustomer]:
    """Customers a skip reason holds today; a lapsed or lifted hold is not listed."""
    rows = session.execute(
        sa.select(
            col(Customer.name),
            col(Customer.hold_reason),
            col(Customer.held_until),
            col(Customer.held_email),
            col(Customer.email),
        )
        .where(sa.text(HELD))  # as its partial index says it, so both databases use it
        .order_by(col(Customer.name))
    ).all()
    held = []
    for name, kind, until, email_then, email_now in rows:
        hold = current_hold(kind, until, email_then, email_now)
        if hold is not None and hold.holds_on(today):
            held.append(HeldCustomer(name, hold.detail))
    return held
