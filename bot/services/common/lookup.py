"""Finding the customer or invoice a person means, from what they typed in Slack."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import OPEN_INVOICE, Customer, Invoice
from bot.rendering.staff_text import N_, phrase
from bot.services.common.errors import Invalid


def find_invoice(session: Session, number: str) -> Invoice:
    invoice = session.exec(
        select(Invoice).where(sa.func.lower(Invoice.number) == number.strip().lower())
    ).first()
    if invoice is None:
        raise Invalid(phrase("No invoice numbered {number}.", number=repr(number)))
    return invoice


def find_customer(session: Session, query: str) -> Customer:
    """By external id, then exact name, then a unique part of the name (case-insensitive)."""
    text = query.strip()
    if not text:
        raise Invalid(N_("Which customer? Give a name or a customer id."))
    exact = session.exec(
        select(Customer).where(
            sa.or_(
                col(Customer.external_id) == text, sa.func.lower(col(Customer.name)) == text.lower()
            )
        )
    ).all()
    if len(exact) == 1:
        return exact[0]
    pattern = "%" + text.lower().replace("%", r"\%").replace("_", r"\_") + "%"
    matches = session.exec(
        select(Customer)
        .where(sa.func.lower(Customer.name).like(pattern, escape="\\"))
        .order_by(col(Customer.name))
        .limit(6)
    ).all()
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise Invalid(phrase("No customer matches {text}.", text=repr(text)))
    names = ", ".join(f"{c.name} ({c.external_id})" for c in matches[:5])
    raise Invalid(
        phrase(
            "{text} matches several customers: {names}. Be more precise.",
            text=repr(text),
            names=names,
        )
    )


def open_invoices(session: Session, customer_id: int) -> list[Invoice]:
    return list(
        session.exec(
            select(Invoice)
            .where(col(Invoice.customer_id) == customer_id, OPEN_INVOICE)
            .order_by(col(Invoice.due_date), col(Invoice.number))
        ).all()
    )
