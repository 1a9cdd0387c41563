"""Cards to click: customers with one reminder each, already posted in the digest channel."""

from __future__ import annotations

from datetime import date

from bot.db import make_engine, unit_of_work
from bot.models import Customer, Invoice, Reminder, ReminderInvoice


def seed_cards(url: str, count: int, prefix: str) -> list[int]:
    """`count` customers, each with one friendly reminder already posted as a card in the digest
    channel (what clicks need); returns the reminders' ids."""
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        ids = []
        for n in range(count):
            customer = Customer(
                external_id=f"{prefix}{n}",
                name=f"Customer {prefix}{n}",
                country="FR",
                timezone="Europe/Paris",
                currency="EUR",
                email=f"ap{n}@{prefix.lower()}.example",
            )
            session.add(customer)
            session.flush()
            session.add(  # what the reminder chases: owed, or a sender would not send it
                Invoice(
                    number=f"{prefix}-{n}",
                    customer_id=customer.id,
                    currency="EUR",
                    amount_minor=120_000,
                    issue_date=date(2026, 10, 1),
                    due_date=date(2026, 10, 31),
                )
            )
            reminder = Reminder(
                customer_id=customer.id,
                run_date=date(2026, 11, 25),
                stage="friendly",
                channel="email",
                language="fr",
                invoices=ReminderInvoice.listing([f"{prefix}-{n}"]),
                subject=f"Relance {prefix}-{n}",
                body_text=f"Merci de régler la facture {prefix}-{n}.",
                slack_channel="CDIGEST",
                slack_ts=f"1.{n}",
            )
            session.add(reminder)
            session.flush()
            ids.append(reminder.id)
    engine.dispose()
    return ids
