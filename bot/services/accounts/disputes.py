"""Disputes: listening comes first. An open dispute takes its invoice out of every reminder
until someone resolves it, from whichever door it is recorded (a command, a customer's
message, their page): the reminders chasing it that nobody sent yet stop at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import unit_of_work
from bot.domain.overtaking import disputed_fact
from bot.models import Dispute, utcnow
from bot.rendering.staff_text import N_, phrase
from bot.services import audit
from bot.services.common.errors import Invalid
from bot.services.common.lookup import find_invoice
from bot.services.common.queries import id_of
from bot.services.reminders.overtaken import Touched, overtake


def open_dispute(
    engine: Engine, number: str, reason: str, user: str, note: dict[str, Any] | None = None
) -> Touched:
    """The customer's reminders it overtakes are returned for their cards and worklists."""
    if not reason.strip():
        raise Invalid(N_("Say what the customer disputes: `/relance dispute <invoice> <reason>`."))
    with unit_of_work(engine) as session:
        invoice = find_invoice(session, number)
        existing = session.exec(
            select(Dispute).where(
                col(Dispute.invoice_id) == invoice.id, col(Dispute.resolved_at).is_(None)
            )
        ).first()
        if existing is not None:
            raise Invalid(
                phrase(
                    "Invoice {number} is already disputed: {reason}",
                    number=invoice.number,
                    reason=existing.reason,
                )
            )
        dispute = Dispute(invoice_id=id_of(invoice), reason=reason.strip(), opened_by=user)
        session.add(dispute)
        audit.append(
            session,
            audit.NewEvent(
                kind="dispute",
                actor=user,
                customer_id=invoice.customer_id,
                invoice_numbers=(invoice.number,),
                content={"reason": dispute.reason, **(note or {})},
            ),
        )
        fact = disputed_fact([invoice.number])
        return overtake(session, invoice.customer_id, [invoice.number], user, fact)


def resolve_dispute(engine: Engine, number: str, user: str, note: str = "") -> None:
    with unit_of_work(engine) as session:
        invoice = find_invoice(session, number)
        dispute = session.exec(
            select(Dispute).where(
                col(Dispute.invoice_id) == invoice.id, col(Dispute.resolved_at).is_(None)
            )
        ).first()
        if dispute is None:
            raise Invalid(phrase("Invoice {number} has no open dispute.", number=invoice.number))
        dispute.resolved_by, dispute.resolved_at = user, utcnow()
        audit.append(
            session,
            audit.NewEvent(
                kind="dispute_resolved",
                actor=user,
                customer_id=invoice.customer_id,
                invoice_numbers=(invoice.number,),
                content={"reason": dispute.reason, "note": note},
            ),
        )
