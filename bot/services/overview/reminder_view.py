"""A reminder as staff see it on its card: re-read from the database after every change, so the
card always shows the row's state, never what a Slack message happened to say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from bot.db import read_only
from bot.domain.money import Money, open_minor, totals_by_currency
from bot.domain.msgid import Phrase
from bot.domain.states import OutboxState, ReminderState
from bot.models import Customer, Invoice, Outbox, Reminder
from bot.rendering.locale import customer_locale
from bot.services.common.queries import id_of
from bot.services.overview.worklists import NO_FACTS, CustomerFacts, customer_facts
from bot.services.page.customer_page import last_views
from bot.services.reminders import drafting
from bot.services.reminders.drafting import Drafter


@dataclass(frozen=True)
class InvoiceLine:
    number: str
    balance: Money
    due_date: date


@dataclass(frozen=True)
class ReminderView:
    id: int
    run_date: date
    customer_name: str
    contact_name: str
    customer_email: str
    country: str
    language: str
    locale: str
    stage: str
    channel: str
    wording: str
    subject: str
    body_text: str
    edited: bool
    state: ReminderState
    decided_by: str
    decided_at: datetime | None
    skip_reason: Phrase | None  # why it was skipped, expired or stopped (None: not said)
    invoices: list[InvoiceLine]
    delivery: OutboxState | None  # None: not approved for sending
    delivery_error: str
    attempts: int
    slack_channel: str
    slack_ts: str
    has_letter: bool = False
    warnings: tuple[str, ...] = ()  # for the person approving: charges to check, no account
    send_after: datetime | None = None  # aware: the customer's next business hours
    timezone: str = "UTC"  # the customer's
    stage_note: str = ""
    auto_at: datetime | None = None  # approved by the policy then, unless stopped before
    auto_rule: str = ""
    phone: str = ""
    facts: CustomerFacts = NO_FACTS  # last contact, promise, dispute, plan: why and what holds
    segment: str = ""  # the policy that suggested it, when not the main one
    page_seen_at: datetime | None = None  # when the customer last opened their page
    email_problem: str = ""  # a hard bounce or a contact who left (from the reply mailbox)
    governing_law: str = ""  # the customer's contracts' country ("": the company's)
    suggested_at: datetime | None = None  # the morning's instant: its texts are of that day

    def totals(self) -> list[Money]:
        return totals_by_currency(line.balance for line in self.invoices)


def load_views(drafter: Drafter, reminder_ids: list[int]) -> list[ReminderView]:
    """The reminders as their cards show them, their texts written first if still pending."""
    if not reminder_ids:
        return []
    drafting.write_pending(drafter, reminder_ids)
    with read_only(drafter.engine) as session:
        rows = session.exec(
            select(Reminder, Customer, Outbox)
            .join(Customer, col(Customer.id) == col(Reminder.customer_id))
            .join(Outbox, col(Outbox.reminder_id) == col(Reminder.id), isouter=True)
            .where(col(Reminder.id).in_(reminder_ids))
            .order_by(col(Reminder.id))
        ).all()
        numbers = {n for r, _c, _o in rows for n in r.numbers}
        invoices = {
            i.number: i
            for i in session.exec(select(Invoice).where(col(Invoice.number).in_(numbers)))
        }
        customer_ids = {c.id for _r, c, _o in rows if c.id is not None}
        facts = customer_facts(session.connection(), sorted(customer_ids))
        seen = last_views(session, list(customer_ids))
    return [
        _view(reminder, customer, outbox, invoices, facts.get(id_of(customer), NO_FACTS), seen)
        for reminder, customer, outbox in rows
    ]


def _view(
    reminder: Reminder,
    customer: Customer,
    outbox: Outbox | None,
    invoices: dict[str, Invoice],
    facts: CustomerFacts,
    seen: dict[int, datetime],
) -> ReminderView:
    lines = [
        InvoiceLine(
            n,
            Money.of_minor(
                open_minor(invoices[n].amount_minor, invoices[n].paid_minor),
                invoices[n].currency,
            ),
            invoices[n].due_date,
        )
        for n in reminder.numbers
        if n in invoices
    ]
    return ReminderView(
        id=id_of(reminder),
        run_date=reminder.run_date,
        customer_name=customer.name,
        contact_name=customer.contact_name,
        customer_email=customer.email,
        country=customer.country,
        language=customer.language,
        locale=customer_locale(customer.language, customer.country),
        stage=reminder.stage,
        channel=reminder.channel,
        wording=reminder.wording,
        subject=reminder.subject,
        body_text=reminder.body_text,
        edited=bool(reminder.original_subject or reminder.original_body_text),
        state=reminder.state,
        decided_by=reminder.decided_by,
        decided_at=reminder.decided_at,
        skip_reason=Phrase.from_column(reminder.skip_reason) if reminder.skip_reason else None,
        invoices=lines,
        delivery=outbox.state if outbox else None,
        delivery_error=outbox.last_error if outbox else "",
        attempts=outbox.attempts if outbox else 0,
        slack_channel=reminder.slack_channel,
        slack_ts=reminder.slack_ts,
        has_letter=bool(reminder.letter_text),
        warnings=tuple(w for w in reminder.warnings.splitlines() if w),
        send_after=reminder.send_after,
        timezone=customer.timezone,
        stage_note=reminder.stage_note,
        auto_at=reminder.auto_at,
        auto_rule=reminder.auto_rule,
        phone=customer.phone,
        facts=facts,
        segment=reminder.segment,
        page_seen_at=seen.get(id_of(customer)),
        email_problem=customer.email_problem,
        governing_law=customer.governing_law,
        suggested_at=reminder.created_at,
    )


def load_view(drafter: Drafter, reminder_id: int) -> ReminderView:
    views = load_views(drafter, [reminder_id])
    if not views:
        raise LookupError(f"no reminder {reminder_id}")
    return views[0]
