"""Reminders and the invoices each lists, their e-mails waiting to go (and the pauses on them), and
the digest posted each morning."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, relationship
from sqlmodel import Field, Relationship, SQLModel

from bot.domain import invoice_list
from bot.domain.states import (
    OutboxState,
    ReminderState,
)
from bot.models.base import (
    InvoiceListing,
    UTCDateTime,
    _state,
    _timestamp,
)


class Reminder(SQLModel, table=True):
    """A suggested reminder and everything decided about it.

    Unique per customer, day and stage: several instances, or a rerun, cannot create a second
    suggestion for the same customer on the same day (a thank-you note is a stage of its own).
    """

    __table_args__ = (
        sa.UniqueConstraint(
            "customer_id", "run_date", "stage", name="uq_reminder_customer_day_stage"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")  # found through the unique constraint
    run_date: date = Field(index=True)
    stage: str = Field(max_length=20)
    channel: str = Field(max_length=20)
    language: str = Field(max_length=8)
    wording: str = Field(default="", max_length=60)
    subject: str = Field(default="")
    body_text: str = Field(default="")
    body_html: str = Field(default="")
    letter_text: str = Field(default="")  # the final notice's letter, frozen at suggestion
    stage_note: str = Field(default="")  # why the stage is not the ladder's next (go-live start)
    original_subject: str = Field(default="")
    original_body_text: str = Field(default="")
    state: ReminderState = _state(ReminderState, default=ReminderState.SUGGESTED, index=True)
    decided_by: str = Field(default="", max_length=40)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    skip_reason: str = Field(default="")
    send_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    slack_channel: str = Field(default="", max_length=40)
    slack_ts: str = Field(default="", max_length=40)
    # while one poster posts its card (services/cards.py): no other posts it meanwhile
    card_claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _timestamp()
    #: what the person approving must know (a rate past its table, a sum left out), one a line
    warnings: str = Field(default="")
    owner: str = Field(default="", max_length=40, index=True)  # whose worklist it is on
    auto_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    auto_rule: str = Field(default="", max_length=80)  # the policy rule that approves it then
    segment: str = Field(default="", max_length=40)  # the policy that suggested it ('' = main)
    #: False from the morning until someone first needs its texts (see services/drafting.py)
    drafted: bool = Field(default=True)
    # the invoices it chases, loaded with it (one query per batch of reminders, not per row)
    invoices: Mapped[list[ReminderInvoice]] = Relationship(
        sa_relationship=relationship(
            "ReminderInvoice",
            lazy="selectin",
            order_by="ReminderInvoice.position",
            cascade="all, delete-orphan",
        )
    )

    @property
    def numbers(self) -> tuple[str, ...]:
        """The invoices' numbers in order, each whole (a number may hold a comma)."""
        return tuple(i.number for i in self.invoices)

    @property
    def invoice_numbers(self) -> str:
        """The invoices' numbers in order as one text (`domain.invoice_list`), for display; a
        query finds a reminder's invoices through `reminder_invoice`."""
        return invoice_list.joined(self.numbers)


class ReminderInvoice(InvoiceListing, table=True):
    """One invoice a reminder chases. Read by reminder (the primary key); the reminders about
    an invoice are its customer's reminders that list it."""

    __tablename__ = "reminder_invoice"

    # set from the reminder it is listed on when both are flushed
    reminder_id: int = Field(default=None, foreign_key="reminder.id", primary_key=True)
    position: int = Field(primary_key=True)

    #: the columns of `rows`, in order
    COLUMNS: ClassVar[tuple[str, ...]] = ("reminder_id", "position", "number")

    @staticmethod
    def rows(reminder_id: int, numbers: Iterable[str]) -> list[tuple[int, int, str]]:
        """The same rows as plain values (`COLUMNS`), for a bulk insert."""
        return [(reminder_id, n, number) for n, number in enumerate(numbers)]


class Outbox(SQLModel, table=True):
    """One message to deliver, written in the same transaction as its approval.

    A sender claims a row, sends it with a Message-ID derived from the reminder, and records
    the outcome; failures are retried with backoff and stay visible. Unique per reminder: one
    approval, one delivery.
    """

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminder.id", unique=True)
    channel: str = Field(max_length=20)
    state: OutboxState = _state(OutboxState, default=OutboxState.PENDING, index=True)
    attempts: int = 0
    next_attempt_at: datetime = _timestamp()
    claimed_by: str = Field(default="", max_length=80)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="")
    message_id: str = Field(default="", max_length=200)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _timestamp()


class DigestRun(SQLModel, table=True):
    """The claim on one day's digest for one channel: only the instance that inserts it posts."""

    __tablename__ = "digest_run"
    __table_args__ = (sa.UniqueConstraint("run_date", "channel", name="uq_digest_day_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    run_date: date
    channel: str = Field(max_length=40)
    claimed_by: str = Field(max_length=80)
    claimed_at: datetime = _timestamp()
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_ts: str = Field(default="", max_length=40)
    totals: str = Field(default="{}")  # overdue per currency, to show tomorrow what changed


class OutboxPause(SQLModel, table=True):
    """The whole outbox held back because the mail server itself refused (login, greeting,
    connection): no message is charged an attempt; senders wait until `paused_until`."""

    __tablename__ = "outbox_pause"

    channel: str = Field(primary_key=True, max_length=20)
    failures: int = 0  # in a row; the backoff doubles with each
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)
    since: datetime = _timestamp()
