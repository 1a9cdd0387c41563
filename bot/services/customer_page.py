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
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only, unit_of_work
from bot.domain.aging import days_overdue
from bot.domain.holds import said_paid
from bot.domain.money import (
    AmountError,
    Money,
    from_minor,
    parse_amount,
    to_minor,
    totals_by_currency,
)
from bot.domain.overtaking import WHOLE_ACCOUNT
from bot.domain.states import PromiseState
from bot.models import AuditEvent, ContactChange, Customer, Dispute, Invoice, Promise
from bot.services import audit
from bot.services.customer_policy import Policies
from bot.services.disputes import open_dispute
from bot.services.errors import Invalid
from bot.services.holds import put_on_hold
from bot.services.lookup import open_invoices
from bot.services.overtaken import NOTHING, Touched, overtake
from bot.services.page_links import LinkHolder
from bot.services.promises import record_promise
from bot.services.queries import get, id_of
from bot.services.threads import conversation_target

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
    promised: date | None
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
    totals: list[Money]
    latest_promise: date  # the furthest date a promise may name, by the customer's policy


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
                col(Invoice.status) == "open",  # a voided credit note is no credit, as on reminders
            )
            .order_by(col(Invoice.number))
        ).all()
        ids = [i.id for i in invoices]
        disputed = set(
            session.exec(
                select(Dispute.invoice_id).where(
                    col(Dispute.invoice_id).in_(ids), col(Dispute.resolved_at).is_(None)
                )
            ).all()
        )
        promised = {
            p.invoice_id: p.promised_date
            for p in session.exec(
                select(Promise).where(
                    col(Promise.invoice_id).in_(ids), col(Promise.state) == PromiseState.OPEN
                )
            )
        }

    def row(i: Invoice) -> PageInvoice:
        return PageInvoice(
            i.number,
            i.issue_date,
            i.due_date,
            Money.of_minor(i.amount_minor, i.currency),
            Money.of_minor(i.amount_minor - i.paid_minor, i.currency),
            max(0, days_overdue(i.due_date, today)),
            i.payment_link,
            i.id in disputed,
            promised.get(id_of(i)),
            i.pdf,
        )

    rows = [row(i) for i in invoices]
    credit_rows = [row(i) for i in credits]
    return PageData(
        customer_ref=customer.external_id,
        customer_name=customer.name,
        contact_name=customer.contact_name,
        email=customer.email,
        phone=customer.phone,
        language=customer.language,
        country=customer.country,
        invoices=rows,
        credits=credit_rows,
        totals=totals_by_currency([r.balance for r in rows + credit_rows]),
        latest_promise=today + timedelta(days=policy.promise_max_days),
    )


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
    for_lead: bool = False
    target_channel: str = ""
    target_thread: str | None = None
    touched: Touched = NOTHING  # reminders whose cards and worklist rows show something new
    request_id: int | None = None  # the contact change it asks (services/contact_changes.py)


def _customer_invoice(session: Session, holder: LinkHolder, number: str) -> Invoice:
    """Only an invoice of this link's customer: another customer's number is refused alike
    whether it exists or not."""
    invoice = session.exec(
        select(Invoice).where(
            col(Invoice.number) == number.strip(), col(Invoice.customer_id) == holder.customer_id
        )
    ).first()
    if invoice is None:
        raise PageInvalid("invoice", "unknown")
    return invoice


def _news(
    engine: Engine, holder: LinkHolder, digest_channel: str, kind: str, **kwargs: Any
) -> News:
    with read_only(engine) as session:
        customer = get(session, Customer, holder.customer_id)
        target = conversation_target(session, holder.customer_id, digest_channel=digest_channel)
    return News(
        customer_id=holder.customer_id,
        customer_ref=customer.external_id,
        customer_name=customer.name,
        kind=kind,
        target_channel=target.channel if target else "",
        target_thread=target.thread_ts if target else None,
        **kwargs,
    )


def say_paid(
    engine: Engine,
    policies: Policies,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    today: date,
    digest_channel: str,
) -> News:
    """The customer says they paid: held as a skip "Customer says it is paid" holds (for the
    days of their policy, long enough for the next import to show the payment; chasing then
    resumes if it does not), and what it overtakes on the whole account stops at once."""
    paid_on = _date(form.get("paid_on", ""), "paid_on")
    if paid_on > today or paid_on < today - timedelta(days=366):
        raise PageInvalid("paid_on", "date_range")
    reference = clean_text(form.get("reference", ""), "reference", MAX_LINE)
    with unit_of_work(engine) as session:
        currency = session.exec(
            select(Invoice.currency).where(col(Invoice.customer_id) == holder.customer_id).limit(1)
        ).first()
        amount = _amount(form.get("amount", ""), "amount", currency or "EUR")
        numbers = tuple(
            session.exec(
                select(Invoice.number).where(
                    col(Invoice.customer_id) == holder.customer_id,
                    col(Invoice.amount_minor) > Invoice.paid_minor,
                )
            ).all()
        )
        audit.append(
            session,
            audit.NewEvent(
                kind="page_paid",
                actor=ACTOR,
                customer_id=holder.customer_id,
                invoice_numbers=numbers,
                channel="page",
                content={
                    "date": paid_on.isoformat(),
                    "amount": str(amount),
                    "currency": currency,
                    "reference": reference,
                    **_note(holder, client),
                },
            ),
        )
        days = policies.of_customer(session, holder.customer_id).said_paid_hold_days
        hold = said_paid(today, days)
        put_on_hold(get(session, Customer, holder.customer_id), hold)
        touched = overtake(session, holder.customer_id, WHOLE_ACCOUNT, ACTOR, hold.detail)
    return _news(
        engine,
        holder,
        digest_channel,
        "paid",
        invoice_numbers=numbers,
        facts=[
            ("Paid on", paid_on.isoformat()),
            ("Amount", f"{amount} {currency}"),
            ("Reference", reference),
        ],
        touched=touched,
    )


def promise(
    engine: Engine,
    policies: Policies,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    today: date,
    digest_channel: str,
) -> News:
    """A promise no further ahead than the customer's policy allows on the page."""
    with read_only(engine) as session:
        invoice = _customer_invoice(session, holder, form.get("invoice", ""))
        furthest = policies.of_customer(session, holder.customer_id).promise_max_days
    promised = _date(form.get("date", ""), "date")
    if promised < today:
        raise PageInvalid("date", "past")
    if promised > today + timedelta(days=furthest):
        raise PageInvalid("date", "too_far", days=furthest)
    raw = form.get("amount", "").strip()
    amount = _amount(raw, "amount", invoice.currency) if raw else None
    try:
        made = record_promise(
            engine,
            invoice.number,
            promised,
            amount,
            ACTOR,
            today,
            via="page",
            note=_note(holder, client),
        )
    except PageInvalid:
        raise
    except Invalid:
        raise PageInvalid("amount", "balance") from None
    shown = f"{amount} {invoice.currency}" if amount is not None else "in full"
    return _news(
        engine,
        holder,
        digest_channel,
        "promise",
        invoice_numbers=(invoice.number,),
        facts=[("Invoice", invoice.number), ("Pay by", promised.isoformat()), ("Amount", shown)],
        touched=made.touched,
    )


def dispute(
    engine: Engine,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    digest_channel: str,
) -> News:
    with read_only(engine) as session:
        invoice = _customer_invoice(session, holder, form.get("invoice", ""))
    reason = form.get("reason", "")
    if reason not in DISPUTE_REASONS:
        raise PageInvalid("reason", "choose")
    text = clean_text(form.get("text", ""), "text", MAX_TEXT, multiline=True)
    if not text:
        raise PageInvalid("text", "empty")
    try:
        touched = open_dispute(
            engine,
            invoice.number,
            f"{reason}: {text}",
            ACTOR,
            note={"reason_code": reason, **_note(holder, client)},
        )
    except Invalid:
        raise PageInvalid("invoice", "already_disputed") from None
    return _news(
        engine,
        holder,
        digest_channel,
        "dispute",
        invoice_numbers=(invoice.number,),
        facts=[("Invoice", invoice.number), ("Reason", reason.replace("_", " ")), ("", text)],
        touched=touched,
    )


def ask_plan(
    engine: Engine,
    policies: Policies,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    digest_channel: str,
) -> News:
    try:
        count = int(form.get("instalments", ""))
    except ValueError:
        raise PageInvalid("instalments", "number") from None
    if not 2 <= count <= 36:
        raise PageInvalid("instalments", "number")
    with unit_of_work(engine) as session:
        limits = policies.of_customer(session, holder.customer_id).plans
        for_lead = count > limits.max_instalments  # beyond what staff may agree alone
        audit.append(
            session,
            audit.NewEvent(
                kind="page_plan_request",
                actor=ACTOR,
                customer_id=holder.customer_id,
                channel="page",
                content={"instalments": count, "for_lead": for_lead, **_note(holder, client)},
            ),
        )
    return _news(
        engine,
        holder,
        digest_channel,
        "plan",
        invoice_numbers=(),
        facts=[("Instalments", str(count))],
        for_lead=for_lead,
    )


def ask_contact_change(
    engine: Engine,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    digest_channel: str,
) -> News:
    """A new billing contact is a request, never a change: a forwarded link could otherwise
    redirect every future reminder. It waits for a collector (services/contact_changes.py);
    the customer's addresses stay as they are until then."""
    name = clean_text(form.get("contact_name", ""), "contact_name", MAX_LINE)
    phone = clean_text(form.get("phone", ""), "phone", 40)
    try:
        email = validate_email(
            clean_text(form.get("email", ""), "email", 254), check_deliverability=False
        ).normalized
    except EmailNotValidError:
        raise PageInvalid("email", "email") from None
    with unit_of_work(engine) as session:
        customer = get(session, Customer, holder.customer_id)
        before = {"contact_name": customer.contact_name, "email": customer.email}
        change = ContactChange(
            customer_id=holder.customer_id,
            contact_name=name,
            email=email,
            phone=phone,
            link=holder.public_id,
        )
        session.add(change)
        session.flush()
        audit.append(
            session,
            audit.NewEvent(
                kind="page_contact_asked",
                actor=ACTOR,
                customer_id=holder.customer_id,
                channel="page",
                content={
                    "request": id_of(change),
                    "before": json.dumps(before, ensure_ascii=False),
                    "contact_name": name,
                    "email": email,
                    "phone": phone,
                    **_note(holder, client),
                },
            ),
        )
        request = id_of(change)
    return _news(
        engine,
        holder,
        digest_channel,
        "contact",
        invoice_numbers=(),
        facts=[("Contact", name), ("E-mail", email), ("Phone", phone)],
        request_id=request,
    )


def mark_handled(
    engine: Engine, customer_id: int, kind: str, invoice_numbers: list[str], user: str
) -> None:
    """A collector took up what the customer sent (accepted the promise, opened the dispute…)."""
    with unit_of_work(engine) as session:
        audit.append(
            session,
            audit.NewEvent(
                kind="page_news_handled",
                actor=user,
                customer_id=customer_id,
                invoice_numbers=tuple(invoice_numbers),
                content={"news": kind},
            ),
        )
