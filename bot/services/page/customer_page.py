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
from bot.domain.due_now import Declared, being_checked, due_now
from bot.domain.holds import HoldKind, current_hold, said_paid
from bot.domain.money import (
    AmountError,
    Money,
    from_minor,
    parse_amount,
    to_minor,
    totals_by_currency,
)
from bot.domain.overtaking import WHOLE_ACCOUNT
from bot.domain.plans import schedule
from bot.domain.promises import spread
from bot.domain.states import InvoiceStatus
from bot.models import AuditEvent, ContactChange, Customer, Dispute, Invoice
from bot.rendering.staff_text import N_
from bot.services import audit
from bot.services.accounts.disputes import open_dispute
from bot.services.accounts.promises import record_promise
from bot.services.common.customer_policy import Policies
from bot.services.common.errors import Invalid
from bot.services.common.lookup import open_invoices
from bot.services.common.queries import get, id_of
from bot.services.inbox.threads import conversation_target
from bot.services.page import dispute_files
from bot.services.page.page_links import LinkHolder
from bot.services.reminders.holds import put_on_hold
from bot.services.reminders.overtaken import NOTHING, Touched, overtake
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
        still_open = session.exec(
            select(
                Invoice.number, Invoice.currency, Invoice.amount_minor, Invoice.paid_minor
            ).where(
                col(Invoice.customer_id) == holder.customer_id,
                col(Invoice.amount_minor) > Invoice.paid_minor,
            )
        ).all()
        numbers = tuple(row[0] for row in still_open)
        # what was open then: the page checks the payment until the ledger shows less
        open_then = from_minor(
            sum(amount - paid for _n, c, amount, paid in still_open if c == currency),
            currency or "EUR",
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
                    "open": str(open_then),
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
            (N_("Paid on"), paid_on.isoformat()),
            (N_("Amount"), f"{amount} {currency}"),
            (N_("Reference"), reference),
        ],
        touched=touched,
    )


MAX_INVOICES = 100  # invoices one answer may name


def _customer_invoices(session: Session, holder: LinkHolder, form: dict[str, str]) -> list[Invoice]:
    """The invoices an answer names (one a line: the page's boxes), each this customer's, oldest
    due first; none is refused like an unknown one."""
    numbers = list(dict.fromkeys(n.strip() for n in form.get("invoice", "").split("\n")))
    numbers = [n for n in numbers if n]
    if not numbers or len(numbers) > MAX_INVOICES:
        raise PageInvalid("invoice", "unknown")
    invoices = [_customer_invoice(session, holder, n) for n in numbers]
    return sorted(invoices, key=lambda i: (i.due_date, i.number))


def promise(
    engine: Engine,
    policies: Policies,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    today: date,
    digest_channel: str,
) -> News:
    """A promise for one invoice or several, no further ahead than the customer's policy allows
    on the page; an amount for several is spread over them, oldest first (`promises.spread`)."""
    with read_only(engine) as session:
        invoices = _customer_invoices(session, holder, form)
        furthest = policies.of_customer(session, holder.customer_id).promise_max_days
    promised = _date(form.get("date", ""), "date")
    if promised < today:
        raise PageInvalid("date", "past")
    if promised > today + timedelta(days=furthest):
        raise PageInvalid("date", "too_far", days=furthest)
    currency = invoices[0].currency
    raw = form.get("amount", "").strip()
    amount = _amount(raw, "amount", currency) if raw else None
    balances = [i.amount_minor - i.paid_minor for i in invoices]
    parts: list[int | None] = [None] * len(invoices)
    if amount is not None:
        if len({i.currency for i in invoices}) > 1 or to_minor(amount, currency) > sum(balances):
            raise PageInvalid("amount", "balance")
        parts = list(spread(to_minor(amount, currency), balances))
    touched = NOTHING
    for invoice, part in zip(invoices, parts, strict=False):
        try:
            made = record_promise(
                engine,
                invoice.number,
                promised,
                None if part is None else from_minor(part, currency),
                ACTOR,
                today,
                via="page",
                note=_note(holder, client),
            )
        except Invalid:
            raise PageInvalid("amount", "balance") from None
        touched |= made.touched
    numbers = tuple(i.number for i in invoices)
    shown = f"{amount} {currency}" if amount is not None else "in full"
    return _news(
        engine,
        holder,
        digest_channel,
        "promise",
        invoice_numbers=numbers,
        facts=[
            (N_("Invoice"), ", ".join(numbers)),
            (N_("Pay by"), promised.isoformat()),
            (N_("Amount"), shown),
        ],
        touched=touched,
    )


def dispute(
    engine: Engine,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    digest_channel: str,
    upload: tuple[str, bytes] | None = None,
) -> News:
    """A dispute of one invoice or several, for one reason; none opens if any is disputed.
    `upload` (name, bytes) is the one file it may carry: refused before anything is recorded
    unless it is a PDF, PNG or JPEG by its bytes, within `dispute_files.MAX_BYTES`."""
    reason = form.get("reason", "")
    if reason not in DISPUTE_REASONS:
        raise PageInvalid("reason", "choose")
    text = clean_text(form.get("text", ""), "text", MAX_TEXT, multiline=True)
    if not text:
        raise PageInvalid("text", "empty")
    try:
        evidence = dispute_files.checked(*upload) if upload else None
    except dispute_files.FileRefused as refused:
        raise PageInvalid(
            "file", f"file_{refused.code}", mb=dispute_files.MAX_BYTES >> 20
        ) from None
    with read_only(engine) as session:
        invoices = _customer_invoices(session, holder, form)
        already = session.exec(
            select(Dispute.id).where(
                col(Dispute.invoice_id).in_([i.id for i in invoices]),
                col(Dispute.resolved_at).is_(None),
            )
        ).first()
    if already is not None:
        raise PageInvalid("invoice", "already_disputed")
    touched = NOTHING
    for invoice in invoices:
        try:
            touched |= open_dispute(
                engine,
                invoice.number,
                f"{reason}: {text}",
                ACTOR,
                note={"reason_code": reason, **_note(holder, client)},
            )
        except Invalid:
            raise PageInvalid("invoice", "already_disputed") from None
    numbers = tuple(i.number for i in invoices)
    file_id = (
        dispute_files.store(
            engine,
            holder.customer_id,
            numbers,
            evidence,
            holder.public_id,
            ACTOR,
            _note(holder, client),
        )
        if evidence is not None
        else None
    )
    return _news(
        engine,
        holder,
        digest_channel,
        "dispute",
        invoice_numbers=numbers,
        facts=[
            (N_("Invoice"), ", ".join(numbers)),
            (N_("Reason"), reason.replace("_", " ")),
            ("", text),
        ],
        touched=touched,
        file_id=file_id,
        file_name=evidence.filename if evidence is not None else "",
    )


@dataclass(frozen=True)
class PlanProposal:
    """The schedule a plan request would ask for: what is due now, in equal monthly
    instalments, the first today (`domain.plans.schedule`)."""

    instalments: list[tuple[date, Money]]


def propose_plan(
    engine: Engine, policies: Policies, holder: LinkHolder, form: dict[str, str], today: date
) -> PlanProposal:
    """The schedule for the count asked, within what the customer's policy lets staff agree
    (more instalments are refused here: the page offers only what can be accepted)."""
    with read_only(engine) as session:
        most = policies.of_customer(session, holder.customer_id).plans.max_instalments
    try:
        count = int(form.get("instalments", ""))
    except ValueError:
        raise PageInvalid("instalments", "number", most=most) from None
    if not 2 <= count <= most:
        raise PageInvalid("instalments", "number", most=most)
    due = load_page(engine, policies, holder.customer_id, today).totals
    if len(due) != 1:  # nothing due now, or several currencies: a person sets that plan up
        raise PageInvalid("instalments", "plan_currency")
    total = due[0]
    return PlanProposal(
        [
            (day, Money.of_minor(minor, total.currency))
            for day, minor in schedule(total.minor, count, today)
        ]
    )


def ask_plan(
    engine: Engine,
    policies: Policies,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    today: date,
    digest_channel: str,
) -> News:
    """A plan request for the schedule the customer saw, recorded for a collector to agree."""
    proposal = propose_plan(engine, policies, holder, form, today)
    count = len(proposal.instalments)
    shown = [
        f"{day.isoformat()}: {amount.amount} {amount.currency}"
        for day, amount in proposal.instalments
    ]
    with unit_of_work(engine) as session:
        audit.append(
            session,
            audit.NewEvent(
                kind="page_plan_request",
                actor=ACTOR,
                customer_id=holder.customer_id,
                channel="page",
                content={
                    "instalments": count,
                    "schedule": "; ".join(shown),
                    **_note(holder, client),
                },
            ),
        )
    return _news(
        engine,
        holder,
        digest_channel,
        "plan",
        invoice_numbers=(),
        facts=[(N_("Instalments"), str(count)), (N_("Schedule"), "; ".join(shown))],
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
        facts=[(N_("Contact"), name), (N_("E-mail"), email), (N_("Phone"), phone)],
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
