"""The ledger: customers and their invoices (credit notes are invoices with a negative amount)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, col

from bot.domain.money import from_minor, open_minor
from bot.domain.states import (
    InvoiceStatus,
)
from bot.models.base import (
    EMAIL_FAILING,
    HELD,
    _minor,
    _partial_index,
    _state,
    _timestamp,
)


class Customer(SQLModel, table=True):
    __table_args__ = (
        _partial_index("ix_customer_held", HELD),
        _partial_index("ix_customer_email_problem", EMAIL_FAILING),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    contact_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    language: str = Field(default="en", max_length=8)
    country: str = Field(max_length=2)
    timezone: str = Field(max_length=64)
    currency: str = Field(max_length=3)
    notes: str = Field(default="")
    address: str = Field(default="")  # postal, several lines: for the final-notice letter
    paused: bool = Field(default=False)
    paused_until: date | None = None
    salutation: str = Field(default="", max_length=40)  # "Mrs", "Frau", "Sra.", "Madame"
    hold_reason: str = Field(default="", max_length=20)  # a skip reason that holds reminders
    held_until: date | None = None  # "customer says paid": held until this day
    held_email: str = Field(default="", max_length=254)  # "wrong contact": held while unchanged
    email_problem: str = Field(default="")  # a hard bounce or "left the company": call instead
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    #: ISO code of the country whose late-payment law governs the contracts; "" for the company's
    governing_law: str = Field(default="", max_length=2)
    owner: str = Field(default="", max_length=40)  # the Slack user who chases this customer
    segment: str = Field(default="", max_length=40)  # its escalation policy, if not the main one


class Invoice(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_invoice_customer_due", "customer_id", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=64, unique=True, index=True)
    customer_id: int = Field(foreign_key="customer.id")
    currency: str = Field(max_length=3)
    amount_minor: int = _minor()
    paid_minor: int = _minor()
    issue_date: date
    due_date: date
    payment_link: str = Field(default="", max_length=500)
    #: the invoice's PDF: a path under the documents folder, or an https URL ("" when none)
    pdf: str = Field(default="", max_length=500)
    status: InvoiceStatus = _state(InvoiceStatus, default=InvoiceStatus.OPEN)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)

    @property
    def paid(self) -> Decimal:
        return from_minor(self.paid_minor, self.currency)

    @property
    def balance(self) -> Decimal:
        return from_minor(open_minor(self.amount_minor, self.paid_minor), self.currency)


#: An invoice still owed: a balance left, and not closed by the accounting tool (void, written
#: off). Credit notes (negative amounts) are never open in this sense.
OPEN_INVOICE = sa.and_(
    col(Invoice.amount_minor) > col(Invoice.paid_minor), col(Invoice.status) == InvoiceStatus.OPEN
)
