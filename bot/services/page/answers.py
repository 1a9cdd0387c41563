"""What a customer answers on the page: paid, a promise, a dispute (with its file), a plan request,
a contact change; each recorded once, audited, and posted to the team as news; and a person
marking it handled."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only, unit_of_work
from bot.domain.holds import said_paid
from bot.domain.money import (
    from_minor,
    to_minor,
)
from bot.domain.overtaking import WHOLE_ACCOUNT
from bot.domain.promises import spread
from bot.models import Customer, Dispute, Invoice
from bot.rendering.staff_text import N_
from bot.services import audit
from bot.services.accounts.disputes import open_dispute
from bot.services.accounts.promises import record_promise
from bot.services.common.customer_policy import Policies
from bot.services.common.errors import Invalid
from bot.services.common.queries import get
from bot.services.inbox.threads import conversation_target
from bot.services.page import dispute_files
from bot.services.page.customer_page import (
    ACTOR,
    DISPUTE_REASONS,
    MAX_LINE,
    MAX_TEXT,
    News,
    PageInvalid,
    _amount,
    _date,
    _note,
    clean_text,
)
from bot.services.page.page_links import LinkHolder
from bot.services.reminders.holds import put_on_hold
from bot.services.reminders.overtaken import NOTHING, overtake


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
        numbers, open_then = _open_then(session, holder.customer_id, currency)
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


def _open_then(
    session: Session, customer_id: int, currency: str | None
) -> tuple[tuple[str, ...], Decimal]:
    """The customer's open invoices, and what they owed in `currency` when they said they
    paid: the page checks the payment until the ledger shows less."""
    still_open = session.exec(
        select(Invoice.number, Invoice.currency, Invoice.amount_minor, Invoice.paid_minor).where(
            col(Invoice.customer_id) == customer_id,
            col(Invoice.amount_minor) > Invoice.paid_minor,
        )
    ).all()
    numbers = tuple(row[0] for row in still_open)
    open_then = from_minor(
        sum(amount - paid for _n, c, amount, paid in still_open if c == currency),
        currency or "EUR",
    )
    return numbers, open_then


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
    reason, text, evidence = _dispute_form(form, upload)
    invoices = _undisputed(engine, holder, form)
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


def _dispute_form(
    form: dict[str, str], upload: tuple[str, bytes] | None
) -> tuple[str, str, dispute_files.Evidence | None]:
    """The reason, the customer's words and the checked file, or why the form is refused."""
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
    return reason, text, evidence


def _undisputed(engine: Engine, holder: LinkHolder, form: dict[str, str]) -> list[Invoice]:
    """The invoices the form names, none of them already disputed."""
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
    return invoices


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
