"""A little contact history for the demo, so that it shows every kind of decision: customers
contacted recently, at the contact cap, paused, disputing an invoice, or who promised to pay."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.models import Contact, Customer, Dispute, Invoice, Promise
from bot.services.common.queries import id_of, is_open


def _at(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(10), tzinfo=ZoneInfo(zone))


def seed_history(session: Session, today: date) -> None:
    customers = {c.external_id: c for c in session.exec(select(Customer))}

    def contact(external_id: str, days_ago: int, stage: str, wording: str = "") -> None:
        customer = customers[external_id]
        session.add(
            Contact(
                customer_id=id_of(customer),
                channel="email",
                stage=stage,
                wording=wording,
                actor="demo",
                occurred_at=_at(today - timedelta(days=days_ago), customer.timezone),
            )
        )

    def first_open_invoice(external_id: str) -> Invoice:
        invoice = session.exec(
            select(Invoice)
            .where(
                col(Invoice.customer_id) == customers[external_id].id,
                is_open(),
            )
            .order_by(col(Invoice.due_date))
        ).first()
        assert invoice is not None, f"sample customer {external_id} has no open invoice"
        return invoice

    contact("C002", 1, "friendly", "fr/friendly")  # contacted yesterday: too recent
    for days_ago in (25, 15, 5):  # three e-mails this month: the cap
        contact("C013", days_ago, "friendly" if days_ago == 25 else "firm", "de/firm")
    contact("C023", 40, "friendly", "en/friendly")  # friendly and firm sent: firm repeats
    contact("C023", 20, "firm", "en/firm")
    for external_id, language in (("C009", "fr"), ("C028", "en"), ("C046", "es")):
        contact(external_id, 70, "friendly", f"{language}/friendly")  # the ladder so far:
        contact(external_id, 50, "firm", f"{language}/firm")  # final notice is next
        contact(external_id, 30, "call")
    contact("C012", 40, "friendly", "de/friendly")  # a phone call is next
    contact("C012", 20, "firm", "de/firm")
    customers["C024"].paused = True  # paused by a lead
    session.add(
        Dispute(
            invoice_id=id_of(first_open_invoice("C044")),
            reason="Goods returned damaged",
            opened_by="demo",
        )
    )
    session.add(
        Promise(
            invoice_id=id_of(first_open_invoice("C045")),
            promised_date=today + timedelta(days=5),
            created_by="demo",
        )
    )
