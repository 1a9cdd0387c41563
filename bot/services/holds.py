"""Who is held by a skip reason, and until when: for the digest (`held_customers` is the one
call a digest or morning run needs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.domain.holds import current_hold
from bot.models import Customer


@dataclass(frozen=True)
class HeldCustomer:
    name: str
    detail: str  # why, and until when ("…held until 2026-12-03, pending the next import")


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
        .where(col(Customer.hold_reason) != "")
        .order_by(col(Customer.name))
    ).all()
    held = []
    for name, kind, until, email_then, email_now in rows:
        hold = current_hold(kind, until, email_then, email_now)
        if hold is not None and hold.holds_on(today):
            held.append(HeldCustomer(name, hold.detail))
    return held
