"""What the customer sees and does on their page; every rule lives here or in the services it
reuses (a promise made on the page is the one `/relance promise` records, a dispute the one
`/relance dispute` opens).

Each action is checked, recorded in the audit trail with the link's id and the client's
address, and returns the news to post where the collector works, with the reminders a
payment, a promise or a dispute touched (those it overtook stopped: services/overtaken.py).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only
from bot.domain.aging import days_overdue
from bot.domain.due_now import Declared, being_checked, due_now
from bot.domain.holds import HoldKind, current_hold
from bot.domain.money import (
    AmountError,
    Money,
    from_minor,
    parse_amount,
    to_minor,
    totals_by_currency,
)
from bot.domain.states import InvoiceStatus
from bot.models import AuditEvent, Customer, Invoice
from bot.services.common.customer_policy import Policies
from bot.services.common.errors import Invalid
from bot.services.common.lookup import open_invoices
from bot.services.common.queries import get
from bot.services.page.page_links import LinkHolder
from bot.services.reminders.overtaken import NOTHING, Touched
from bot.services.reminders.suggestions import load_accounts

ACTOR = "customer-page"
DISPUTE_REASONS = ("not_received", "wrong_amount", "quality", "already_paid", "other")
MAX_TEXT = 1000
MAX_LINE = 200
MAX_REMITTANCE_REFERENCE = 140  # what a transfer's remittance line (and an EPC QR code) carries


class PageInvalid(Invalid):
    """A form value refused: `field` names the input, `code` the reason (the page words it
    in the customer's language)."""

    def __init__(self, field: str, code: str, **params: object):
        """`params` fill the placeholders of the reason's words (a limit's days)."""
        super().__init__(f"{field}: {code}")
        self.field, self.code, self.params = field, code, params


@dataclass(frozen=True)
class PageInvoice:
    number: str
    issue_date: date
    due_date: date
    amount: Money
    balance: Money
    days_late: int
    payment_link: str
    disputed: bool
    promised: date | None  # promised, or held by a plan on track, until then
    due_now: bool = False  # part of what the page asks for now (domain/due_now.py)
    pdf: str = ""  # its copy: a path under the documents folder, or an https URL


@dataclass(frozen=True)
class PageData:
    customer_ref: str  # the customer's id in the ledger: a reference to quote
    customer_name: str
    contact_name: str
    email: str
    phone: str
    language: str
    country: str
    invoices: list[PageInvoice]
    credits: list[PageInvoice]  # invoices whose balance is in the customer's favour
    totals: list[Money]  # what to pay now, by currency: the e-mail's demand, less credits
    latest_promise: date  # the furthest date a promise may name, by the customer's policy
    declared: Declared | None = None  # a payment the customer declared, being checked
    most_instalments: int = 6  # the longest plan the page offers (the policy's limit)


def _declared(
    session: Session, customer: Customer, owed: list[Money], today: date
) -> Declared | None:
    """The payment the customer last declared on the page, while it is being checked."""
    hold = current_hold(
        customer.hold_reason, customer.held_until, customer.held_email, customer.email
    )
    held = hold is not None and hold.kind is HoldKind.SAID_PAID and hold.holds_on(today)
    if not held:
        return None
    event = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.customer_id) == customer.id, col(AuditEvent.kind) == "page_paid")
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    content = json.loads(event.content)
    currency = content.get("currency") or "EUR"
    open_now = next((m for m in owed if m.currency == currency), Money(Decimal(0), currency))
    declared = Declared(
        on=date.fromisoformat(content["date"]),
        amount=Money(Decimal(content["amount"]), currency),
        # declared before the page kept what was open: checked until the hold ends
        open_then=Money(Decimal(content.get("open", str(open_now.amount))), currency),
    )
    return declared if being_checked(declared, open_now, held) else None


def load_page(engine: Engine, policies: Policies, customer_id: int, today: date) -> PageData:
    with read_only(engine) as session:
        customer = get(session, Customer, customer_id)
        policy = policies.of_customer(session, customer_id)
        invoices = open_invoices(session, customer_id)
        credits = session.exec(
            select(Invoice)
            .where(
                col(Invoice.customer_id) == customer_id,
                col(Invoice.amount_minor) < Invoice.paid_minor,
                col(Invoice.status)
                == InvoiceStatus.OPEN,  # a voided credit note is no credit, as on reminders
            )
            .order_by(col(Invoice.number))
        ).all()
        # the invoices as the morning reads them: disputes, promises and plans alike
        accounts = load_accounts(session, only=[customer_id])
        items = accounts[0][1].invoices if accounts else ()
        owed = totals_by_currency(i.balance for i in items)
        split = due_now(items, policy.promise_grace_days, today)
        account_credits = accounts[0][1].credits if accounts else ()
        declared = _declared(session, customer, owed, today)
    held = {i.number: i.promised_until for i in split.held}
    disputed = {i.number for i in split.disputed}
    due = {i.number for i in split.due}

    def row(i: Invoice) -> PageInvoice:
        return PageInvoice(
            i.number,
            i.issue_date,
            i.due_date,
            Money.of_minor(i.amount_minor, i.currency),
            Money.of_minor(i.amount_minor - i.paid_minor, i.currency),
            max(0, days_overdue(i.due_date, today)),
            i.payment_link,
            i.number in disputed,
            held.get(i.number),
            i.number in due,
            i.pdf,
        )

    return PageData(
        customer_ref=customer.external_id,
        customer_name=customer.name,
        contact_name=customer.contact_name,
        email=customer.email,
        phone=customer.phone,
        language=customer.language,
        country=customer.country,
        invoices=[row(i) for i in invoices],
        credits=[row(i) for i in credits],
        totals=split.to_pay(account_credits),
        latest_promise=today + timedelta(days=policy.promise_max_days),
        declared=declared,
        most_instalments=policy.plans.max_instalments,
    )


def language_of(engine: Engine, customer_id: int) -> str:
    with read_only(engine) as session:
        return get(session, Customer, customer_id).language


def _note(holder: LinkHolder, client: str) -> dict[str, str]:
    return {"link": holder.public_id, "client": client[:64]}


def last_views(session: Session, customer_ids: list[int]) -> dict[int, datetime]:
    """When each customer last opened their page (for the cards' "seen 2 h ago")."""
    if not customer_ids:
        return {}
    rows = session.exec(
        select(col(AuditEvent.customer_id), sa.func.max(col(AuditEvent.occurred_at)))
        .where(col(AuditEvent.kind) == "page_view", col(AuditEvent.customer_id).in_(customer_ids))
        .group_by(col(AuditEvent.customer_id))
    ).all()
    return {cid: when for cid, when in rows if cid is not None}


# --- what the customer sends -------------------------------------------------------------


def clean_text(value: str, field: str, limit: int, *, multiline: bool = False) -> str:
    """Customer text is data: bounded, no control characters (a line break only where the
    field is a paragraph), never evaluated."""
    if len(value) > limit:
        raise PageInvalid(field, "too_long")
    for char in value:
        if char in "\n\r\t" and multiline:
            continue
        if unicodedata.category(char) in ("Cc", "Cf") and char != "\u200d":
            raise PageInvalid(field, "control")
    return value.strip()


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PageInvalid(field, "date") from None


def _amount(value: str, field: str, currency: str) -> Decimal:
    try:
        amount = from_minor(to_minor(parse_amount(value), currency), currency)
    except (AmountError, InvalidOperation, ValueError):
        raise PageInvalid(field, "amount") from None
    if amount <= 0:
        raise PageInvalid(field, "amount")
    return amount


@dataclass(frozen=True)
class News:
    """What happened on the page, for the collector: `facts` are (label, customer text)."""

    customer_id: int
    customer_ref: str
    customer_name: str
    kind: str  # paid | promise | dispute | plan | contact
    invoice_numbers: tuple[str, ...]
    facts: list[tuple[str, str]] = field(default_factory=list)
    target_channel: str = ""
    target_thread: str | None = None
    touched: Touched = NOTHING  # reminders whose cards and worklist rows show something new
    request_id: int | None = None  # the contact change it asks (services/contact_changes.py)
    file_id: int | None = None  # the file sent with a dispute (services/dispute_files.py)
    file_name: str = ""
    file_link: str = ""  # staff's signed, expiring link to it, set where the clock is known
