"""The ledger after the bank: a ledger import that shows an invoice still open although a bank
payment was applied to it is a discrepancy for a person (the accountant has not booked it yet,
or booked it elsewhere). Until a person looks, the bank's evidence holds: the invoice keeps what
was applied, so nobody is chased for money the bank shows received. A ledger showing it paid
agrees silently; one showing a payment never seen in a statement is taken as before."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from bot.services import audit


def keep_applied(session: Session, staged: sa.Table, actor: str) -> tuple[str, ...]:
    """For the invoices of the ledger just staged (`staged`, its `invoice_number` column):
    those whose paid amount is now below what bank payments applied get it back, each with
    an audit event naming both amounts; their numbers are returned."""
    conn = session.connection()
    applied = _applied_per_invoice()
    invoice = sa.table(
        "invoice",
        sa.column("id"),
        sa.column("number"),
        sa.column("customer_id"),
        sa.column("amount_minor"),
        sa.column("paid_minor"),
    )
    rows = conn.execute(
        sa.select(
            invoice.c.id,
            invoice.c.number,
            invoice.c.customer_id,
            invoice.c.amount_minor,
            invoice.c.paid_minor,
            applied.c.applied,
        )
        .join(applied, applied.c.invoice_id == invoice.c.id)
        .where(
            invoice.c.number.in_(sa.select(staged.c.invoice_number)),
            invoice.c.paid_minor < applied.c.applied,
        )
        .order_by(invoice.c.number)
    ).all()
    for key, _number, _customer, amount, _paid, total in rows:
        conn.execute(
            sa.update(invoice)
            .where(invoice.c.id == key)
            .values(paid_minor=min(int(total), int(amount)))
        )
    audit.append_many(
        session,
        [
            audit.NewEvent(
                kind="cash_discrepancy",
                actor=actor,
                customer_id=customer,
                invoice_numbers=(number,),
                channel="bank",
                content={"ledger_paid_minor": paid, "applied_minor": int(total)},
            )
            for _key, number, customer, _amount, paid, total in rows
        ],
    )
    return tuple(number for _key, number, *_rest in rows)


def _applied_per_invoice() -> sa.Subquery:
    """What bank payments still in force applied to each invoice, in minor units."""
    return (
        sa.select(sa.column("invoice_id"), sa.func.sum(sa.column("amount_minor")).label("applied"))
        .select_from(
            sa.table(
                "cash_application",
                sa.column("invoice_id"),
                sa.column("amount_minor"),
                sa.column("undone_at"),
            )
        )
        .where(sa.column("undone_at").is_(None))
        .group_by(sa.column("invoice_id"))
        .subquery()
    )
