"""What happened with a customer: contacts made, promises to pay, disputes, payment plans and their
instalments."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, relationship
from sqlmodel import Field, Relationship, SQLModel

from bot.domain.states import (
    PlanState,
    PromiseState,
)
from bot.models.base import (
    InvoiceListing,
    UTCDateTime,
    _state,
    _timestamp,
)


class Contact(SQLModel, table=True):
    """A contact made with a customer (e-mail sent, call, letter): the policy's history."""

    __table_args__ = (sa.Index("ix_contact_customer_time", "customer_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    occurred_at: datetime = _timestamp()
    channel: str = Field(max_length=20)
    stage: str = Field(default="", max_length=20)
    wording: str = Field(default="", max_length=60)
    reminder_id: int | None = Field(default=None, foreign_key="reminder.id")
    outcome: str = Field(default="", max_length=40)
    notes: str = Field(default="")
    actor: str = Field(default="", max_length=40)


class Promise(SQLModel, table=True):
    """A customer's promise to pay an invoice by a date (and perhaps an amount)."""

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    promised_date: date
    amount_minor: int | None = Field(default=None, sa_type=sa.BigInteger)
    # What the invoice had been paid when the promise was made: a partial promise is kept once
    # that much more has come in, whatever the date.
    paid_before_minor: int = Field(default=0, sa_type=sa.BigInteger)
    state: PromiseState = _state(PromiseState, default=PromiseState.OPEN)
    created_by: str = Field(max_length=40)
    created_at: datetime = _timestamp()


class Dispute(SQLModel, table=True):
    """An open dispute pauses the reminders for its invoice until resolved."""

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    reason: str
    opened_by: str = Field(max_length=40)
    opened_at: datetime = _timestamp()
    resolved_by: str = Field(default="", max_length=40)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DisputeFile(SQLModel, table=True):
    """The one file a customer sent with a dispute from their page, kept in the database with
    the dispute (backed up and restored with it, no folder to share between instances); its
    type was read from its bytes, and staff fetch it only through a signed, expiring link."""

    __tablename__ = "dispute_file"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    invoice_numbers: str  # the disputed invoices, one a line (domain/invoice_list.py)
    filename: str = Field(max_length=100)  # cleaned: domain/file_types.safe_filename
    content_type: str = Field(max_length=40)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_at: datetime = _timestamp()
    link: str = Field(max_length=32)  # the page link's public id it came through


class PaymentPlan(SQLModel, table=True):
    """Instalments agreed with a customer for their open invoices (one currency)."""

    __tablename__ = "payment_plan"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    currency: str = Field(max_length=3)
    total_minor: int = Field(sa_type=sa.BigInteger)
    paid_at_start_minor: int = Field(sa_type=sa.BigInteger)  # to measure payments since
    state: PlanState = _state(PlanState, default=PlanState.ACTIVE)
    created_by: str = Field(max_length=40)
    beyond_limits: bool = False  # accepted by a lead although outside the limits
    created_at: datetime = _timestamp()
    invoices: Mapped[list[PlanInvoice]] = Relationship(
        sa_relationship=relationship(
            "PlanInvoice",
            lazy="selectin",
            order_by="PlanInvoice.position",
            cascade="all, delete-orphan",
        )
    )

    @property
    def numbers(self) -> tuple[str, ...]:
        """The invoices it covers, in order."""
        return tuple(i.number for i in self.invoices)


class PlanInvoice(InvoiceListing, table=True):
    """One invoice a plan covers."""

    __tablename__ = "plan_invoice"

    # set from its plan when both are flushed
    plan_id: int = Field(default=None, foreign_key="payment_plan.id", primary_key=True)
    position: int = Field(primary_key=True)


class Instalment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="payment_plan.id", index=True)
    due_date: date
    amount_minor: int = Field(sa_type=sa.BigInteger)
