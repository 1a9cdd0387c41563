"""The tables. Money is stored in integer minor units; times are stored in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, relationship
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Relationship, SQLModel, col

from bot.domain import invoice_list
from bot.domain.inbound import Kind
from bot.domain.money import from_minor, open_minor
from bot.domain.states import (
    BankLineState,
    InvoiceStatus,
    OutboxState,
    PlanState,
    PromiseState,
    ReminderState,
)

E = TypeVar("E", bound=StrEnum)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Accepts only aware datetimes, stores them in UTC, and gives them back aware in UTC.

    SQLite has no time zones; PostgreSQL's `timestamptz` has. This type makes both behave alike.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Relance stores only aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EnumText(TypeDecorator[E]):
    """A state column: stored as its enum's value in a plain VARCHAR (the strings on disk, no
    database enum type, so no migration), read back as the enum's member on every database. A
    value the enum does not know fails on its way in, in a write or a query alike."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 20) -> None:
        super().__init__(length)
        self.enum = enum
        # a member found by its value (or by itself) in a dict: calling the enum per row is
        # some forty times slower, and a morning reads hundreds of thousands of states
        self._members: dict[str, E] = {m.value: m for m in enum}

    def _member(self, value: str) -> E:
        try:
            return self._members[value]
        except KeyError:
            return self.enum(value)  # raises, naming the enum and the value

    def process_bind_param(self, value: E | str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else self._member(value).value

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> E | None:
        return None if value is None else self._member(value)


def _state(enum: type[E], **kwargs: Any) -> Any:
    return Field(sa_type=EnumText(enum), **kwargs)


def _timestamp(*, index: bool = False) -> Any:  # Any: what `Field` gives a column's default
    return Field(default_factory=utcnow, sa_type=UTCDateTime, index=index)


def _minor() -> Any:
    return Field(default=0, sa_type=sa.BigInteger)


def _partial_index(name: str, where: str) -> sa.Index:
    """An index on customers' names covering only the rows `where` holds (migration 0018_scale):
    the digest's short lists of customers found without reading them all."""
    return sa.Index(name, "name", sqlite_where=sa.text(where), postgresql_where=sa.text(where))


#: The customers a skip reason holds, and those whose e-mail address fails (see above).
HELD = "hold_reason != ''"
EMAIL_FAILING = "email_problem != ''"


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


class AuditEvent(SQLModel, table=True):
    """One link of the append-only, hash-chained written record (see services/audit.py)."""

    __tablename__ = "audit_event"
    # a customer's events, or one kind of them (a hash covers the unique seq: never shared)
    __table_args__ = (sa.Index("ix_audit_event_customer_kind", "customer_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    occurred_at: datetime = _timestamp()
    actor: str = Field(max_length=100)
    kind: str = Field(max_length=40)
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    invoice_numbers: str = Field(default="")
    channel: str = Field(default="", max_length=20)
    content: str = Field(default="{}")
    prev_hash: str = Field(max_length=64, unique=True)  # one successor per link: no fork
    hash: str = Field(max_length=64)
    key_id: str | None = Field(default=None, max_length=16)  # its key's id; None: before ids


class AuditEventInvoice(SQLModel, table=True):
    """One invoice an event lists: how an invoice's events are found. The event's own
    `invoice_numbers` text stays the record (its hash covers it); these rows index it, written
    with the event, append-only like it (a number here may hold a comma, and need not be an
    invoice still: the trail names what it named)."""

    __tablename__ = "audit_event_invoice"
    __table_args__ = (sa.Index("ix_audit_event_invoice_number", "number", "event_seq"),)

    event_seq: int = Field(foreign_key="audit_event.seq", primary_key=True, ondelete="CASCADE")
    position: int = Field(primary_key=True)
    number: str

    #: the columns of the rows `services/audit.linked` makes, in order
    COLUMNS: ClassVar[tuple[str, ...]] = ("event_seq", "position", "number")


class AuditHead(SQLModel, table=True):
    """The chain's head as it was each morning (services/audit_checkpoint.py): verification
    compares the trail with the latest, so an emptied or shortened trail shows. The app's role
    may only append here, as to the trail."""

    __tablename__ = "audit_head"

    id: int | None = Field(default=None, primary_key=True)
    recorded_at: datetime = _timestamp()
    seq: int
    hash: str = Field(max_length=64)
    key_id: str = Field(default="", max_length=16)  # the key its signature is made with
    signature: str = Field(default="", max_length=64)  # HMAC of seq|hash|recorded_at; "" no key


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


class InvoiceListing(SQLModel):
    """One invoice of a list, at its place: whole numbers, never a pattern in a text. A list's
    rows name invoices that exist (the foreign key on their unique number). Each table keys
    its rows by its list's id, then `position`."""

    number: str = Field(max_length=64, foreign_key="invoice.number")

    @classmethod
    def listing(cls, numbers: Iterable[str]) -> list[Self]:
        """The rows of a new list: `Reminder(invoices=ReminderInvoice.listing(…))`."""
        # each table declares `position` after its list's id (the key's order)
        return [cls.model_validate({"position": n, "number": v}) for n, v in enumerate(numbers)]


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


class AppSetting(SQLModel, table=True):
    """A setting a finance lead changed in Slack; it overrides the environment's value."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=60)
    value: str  # JSON
    updated_by: str = Field(max_length=40)
    updated_at: datetime = _timestamp()


class PageLink(SQLModel, table=True):
    """One generation of a customer's page link. The signed token carries only `public_id`
    (random, so the link says nothing about the customer); a *New link* revokes the current
    generation and issues the next, so every link sent before stops working."""

    __tablename__ = "page_link"
    __table_args__ = (
        sa.UniqueConstraint("customer_id", "generation", name="uq_page_link_generation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    generation: int
    public_id: str = Field(max_length=32, unique=True)
    created_by: str = Field(max_length=40)
    created_at: datetime = _timestamp()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What strangers' requests cost is kept here, shared by every process and instance: the
    # last view and prefetch recorded (one of each an hour), and the posts of the current minute.
    viewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    prefetched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rate_minute: int = 0  # minutes since the epoch of the window `rate_hits` counts
    rate_hits: int = 0


class ContactChange(SQLModel, table=True):
    """A billing-contact change asked on the customer's page: applied only once a collector
    accepts it (a link may have been forwarded), decided once (`decided_at`)."""

    __tablename__ = "contact_change"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    contact_name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str = Field(max_length=40)
    asked_at: datetime = _timestamp()
    link: str = Field(max_length=32)  # the page link's public id it was asked through
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str = Field(default="", max_length=40)


class InboundMessage(SQLModel, table=True):
    """One message read from the reply mailbox: the unique (mailbox, UIDVALIDITY, UID) makes
    each message handled once, whichever instance read it and however often."""

    __tablename__ = "inbound_message"
    __table_args__ = (
        sa.UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_inbound_mailbox_uid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=300)
    uidvalidity: int = Field(sa_type=sa.BigInteger)
    uid: int = Field(sa_type=sa.BigInteger)
    message_id: str = Field(default="", max_length=200)
    sender: str = Field(default="", max_length=254)
    subject: str = Field(default="")
    kind: Kind = _state(Kind)
    reason: str = Field(default="")  # why it was set aside, for a person
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    reminder_id: int | None = Field(default=None, foreign_key="reminder.id")
    matched_by: str = Field(default="", max_length=20)  # thread | subject | sender | domain
    summary: str = Field(default="{}")  # JSON: what the Slack message shows
    received_at: datetime = _timestamp()
    post_claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    slack_channel: str = Field(default="", max_length=40)
    slack_ts: str = Field(default="", max_length=40, index=True)
    moved: bool = False
    # the answer a person wrote from Slack (sent through the outbox as a reminder row of its own)
    reply_reminder_id: int | None = Field(default=None, foreign_key="reminder.id", unique=True)
    # when a person acted on it (answered, a dispute or promise from it, resumed the ladder)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by: str = Field(default="", max_length=40)
    # how it is known to be its customer's (services/inbox.py); empty: a stranger's claim
    authenticated: str = Field(default="", max_length=200)
    # it would have changed something and was not authenticated: waits for a person's Confirm
    awaiting_confirmation: bool = False
    confirmed_by: str = Field(default="", max_length=40)


class OutboxPause(SQLModel, table=True):
    """The whole outbox held back because the mail server itself refused (login, greeting,
    connection): no message is charged an attempt; senders wait until `paused_until`."""

    __tablename__ = "outbox_pause"

    channel: str = Field(primary_key=True, max_length=20)
    failures: int = 0  # in a row; the backoff doubles with each
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)
    since: datetime = _timestamp()


class SlackRequest(SQLModel, table=True):
    """A signed Slack request already received: a replay within Slack's 5-minute window finds its
    signature here and is answered without acting again. A click or a form is also the journal
    of its work: its body is kept until the work is done (`handled_at`), so that another
    instance can dispatch it again if the one that acknowledged it died (services/journal.py).
    Rows older than the window go once handled."""

    __tablename__ = "slack_request"

    signature: str = Field(primary_key=True, max_length=100)
    seen_at: datetime = _timestamp(index=True)
    body: str | None = Field(default=None, sa_type=sa.Text)
    content_type: str | None = Field(default=None, max_length=100)
    claimed_by: str | None = Field(default=None, max_length=200)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recoveries: int = 0
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)


class BankStatement(SQLModel, table=True):
    """One bank file imported (`relance import-bank`): its lines are `BankLine`s."""

    __tablename__ = "bank_statement"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64)
    format: str = Field(max_length=40)  # camt.053, camt.054, mt940, ofx, csv:<mapping>
    account: str = Field(default="", max_length=64)
    lines: int = 0  # entries in the file (those already imported before included)
    imported_by: str = Field(max_length=100)
    imported_at: datetime = _timestamp()
    slack_channel: str = Field(default="", max_length=40)  # its summary in the digest channel
    slack_ts: str = Field(default="", max_length=40)


class BankLine(SQLModel, table=True):
    """One entry of a statement, once per account and bank reference however often the file
    comes: what it says, what matching made of it (`state`: domain/states.BankLineState) and
    who decided."""

    __tablename__ = "bank_line"
    __table_args__ = (sa.UniqueConstraint("account", "reference", name="uq_bank_line_entry"),)

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="bank_statement.id", index=True)
    account: str = Field(default="", max_length=64)
    reference: str = Field(max_length=100)
    position: int = 0
    booked_on: date
    currency: str = Field(max_length=3)
    amount_minor: int = _minor()
    credit: bool = True
    reversal: bool = False
    payer_name: str = Field(default="", max_length=140)
    payer_iban: str = Field(default="", max_length=34, index=True)
    remittance: str = Field(default="")
    end_to_end: str = Field(default="", max_length=100)
    state: BankLineState = _state(BankLineState, index=True)
    rule: int = 0  # 1 reference, 2 payer, 3 a person
    why: str = Field(default="")
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    candidates: str = Field(default="[]")  # JSON: invoice numbers a person may choose among
    proposed: str = Field(default="[]")  # JSON: [[number, minor], …] the matching proposes
    unapplied_minor: int = _minor()  # received beyond what it paid: credit a person places
    reverses_line_id: int | None = Field(default=None, foreign_key="bank_line.id")
    decided_by: str = Field(default="", max_length=40)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    slack_channel: str = Field(default="", max_length=40)  # its card, when a person decides
    slack_ts: str = Field(default="", max_length=40)


class CashApplication(SQLModel, table=True):
    """Money from one bank line applied to one invoice: what it paid, by which rule, who
    decided. A reversal marks it undone (and takes the amount off the invoice again)."""

    __tablename__ = "cash_application"

    id: int | None = Field(default=None, primary_key=True)
    line_id: int = Field(foreign_key="bank_line.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    amount_minor: int = _minor()
    rule: int = 0
    decided_by: str = Field(max_length=40)
    applied_at: datetime = _timestamp(index=True)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PayerIban(SQLModel, table=True):
    """An IBAN a customer paid from, learnt when a person applied a payment from it: the
    next payment from it is suggested for that customer."""

    __tablename__ = "payer_iban"
    __table_args__ = (sa.UniqueConstraint("iban", "customer_id", name="uq_payer_iban_customer"),)

    id: int | None = Field(default=None, primary_key=True)
    iban: str = Field(max_length=34, index=True)
    customer_id: int = Field(foreign_key="customer.id")
    learnt_by: str = Field(max_length=40)
    learnt_at: datetime = _timestamp()
    line_id: int | None = Field(default=None, foreign_key="bank_line.id")
