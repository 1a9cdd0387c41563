"""Today's suggestions: every customer with open invoices gets a decision — a reminder to
approve, or the reason none is due — computed from the database in a handful of queries.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import ClassVar, NamedTuple

import sqlalchemy as sa
from jinja2 import TemplateNotFound
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from bot.db import insert_rows, new_ids, read_only, refresh_statistics, unit_of_work
from bot.domain import invoice_list
from bot.domain.calendar import local_today
from bot.domain.escalation import (
    Account,
    Decision,
    NoAction,
    OpenCredit,
    OpenItem,
    PastContact,
    Reason,
    Suggestion,
    decide,
    owed,
)
from bot.domain.holds import current_hold
from bot.domain.inbound import Kind
from bot.domain.msgid import Said
from bot.domain.policy import Channel, Policy
from bot.domain.segments import MAIN, Segments
from bot.domain.states import InvoiceStatus, PromiseState, ReminderState, move
from bot.domain.worklist import route
from bot.models import (
    OPEN_INVOICE,
    Contact,
    Customer,
    Dispute,
    InboundMessage,
    Invoice,
    Promise,
    Reminder,
    ReminderInvoice,
)
from bot.rendering.staff_text import Phrase, phrase
from bot.services import audit
from bot.services.accounts import plan_status
from bot.services.common.bulk import no_cycle_collection
from bot.services.common.queries import in_sources, stored_id
from bot.services.reminders.compose import Composer

log = logging.getLogger(__name__)


class CustomerView(NamedTuple):
    """The customer columns suggesting needs, read as plain rows."""

    id: int
    external_id: str
    name: str
    contact_name: str
    salutation: str
    email: str
    language: str
    country: str
    timezone: str
    address: str
    paused: bool
    paused_until: date | None
    governing_law: str
    hold_reason: str
    held_until: date | None
    held_email: str
    owner: str
    segment: str
    email_problem: str


@dataclass(frozen=True)
class CustomerDecision:
    customer: CustomerView
    decision: Decision
    segment: str = MAIN  # whose policy decided


def _of_customers(
    column: Mapped[int] | Mapped[int | None],
    only: Collection[int] | None,
    between: tuple[int, int] | None,
) -> sa.ColumnElement[bool]:
    if only is not None:
        return column.in_(sorted(only))
    if between is not None:
        return column.between(*between)
    return sa.true()


def customer_batches(engine: Engine, size: int) -> Iterator[tuple[int, int]]:
    """The customers' ids in consecutive ranges of at most `size` customers (keyset pagination,
    each range read on its own): a morning decides and stores one range at a time, so its
    memory does not grow with the ledger."""
    last = 0
    while True:
        page = (
            sa.select(col(Customer.id).label("id"))
            .where(col(Customer.id) > last)
            .order_by(col(Customer.id))
            .limit(size)
            .subquery()
        )
        with engine.connect() as conn:
            first, last_id = conn.execute(
                sa.select(sa.func.min(page.c.id), sa.func.max(page.c.id))
            ).one()
        if first is None:
            return
        yield int(first), int(last_id)
        last = int(last_id)


def load_accounts(
    session: Session,
    only: Collection[int] | None = None,
    between: tuple[int, int] | None = None,
) -> list[tuple[CustomerView, Account]]:
    """Every customer with an open invoice (or those of them in `only`, or with an id `between`
    the two given), with what the policy needs to know about them."""
    open_filter = sa.and_(OPEN_INVOICE, _of_customers(col(Invoice.customer_id), only, between))
    # Core rows on the session's connection, not the ORM: a ledger has a hundred thousand open
    # invoices, and building ORM results costs more than reading them.
    conn = session.connection()
    invoices = conn.execute(
        sa.select(
            col(Invoice.id),
            col(Invoice.number),
            col(Invoice.customer_id),
            col(Invoice.currency),
            col(Invoice.amount_minor),
            col(Invoice.paid_minor),
            col(Invoice.due_date),
            col(Invoice.payment_link),
            col(Invoice.issue_date),
        ).where(open_filter)
    ).all()
    if not invoices:
        return []
    customers = [
        CustomerView(*row)
        for row in conn.execute(
            sa.select(*(getattr(Customer, name) for name in CustomerView._fields)).where(
                col(Customer.id).in_(select(Invoice.customer_id).where(open_filter).distinct()),
                # said of the customer too, or PostgreSQL reads every customer for each batch
                _of_customers(col(Customer.id), only, between),
            )
        ).all()
    ]
    disputed = set(
        session.exec(select(Dispute.invoice_id).where(col(Dispute.resolved_at).is_(None))).all()
    )
    promised: dict[int, date] = dict(
        session.execute(
            sa.select(col(Promise.invoice_id), sa.func.max(col(Promise.promised_date)))
            .where(col(Promise.state) == PromiseState.OPEN)
            .group_by(col(Promise.invoice_id))
        ).all()
    )

    on_plan = plan_status.holds(session)  # a plan on track holds like a promise to its next date
    items_by_customer: dict[int, list[OpenItem]] = defaultdict(list)
    for invoice_id, number, customer_id, currency, amount, paid, due, link, issued in invoices:
        held = None  # until when a promise or a plan holds it (most invoices: neither)
        if invoice_id in promised or number in on_plan:
            held = max(filter(None, (promised.get(stored_id(invoice_id)), on_plan.get(number))))
        items_by_customer[customer_id].append(
            OpenItem(
                number, currency, amount - paid, due, invoice_id in disputed, held, link, issued
            )
        )
    earliest_due = min(row.due_date for row in invoices)

    credits_by_customer: dict[int, list[OpenCredit]] = defaultdict(list)
    for number, customer_id, currency, amount, paid, issued in conn.execute(
        sa.select(
            col(Invoice.number),
            col(Invoice.customer_id),
            col(Invoice.currency),
            col(Invoice.amount_minor),
            col(Invoice.paid_minor),
            col(Invoice.issue_date),
        )
        .where(
            col(Invoice.amount_minor) < col(Invoice.paid_minor),
            col(Invoice.status) == InvoiceStatus.OPEN,
        )
        .where(_of_customers(col(Invoice.customer_id), only, between))
        .order_by(col(Invoice.issue_date), col(Invoice.number))
    ).all():
        credits_by_customer[customer_id].append(OpenCredit(number, currency, paid - amount, issued))

    since = datetime.combine(earliest_due, datetime.min.time(), tzinfo=UTC)
    answered = last_answers(session, since, only)
    zones = {c.id: c.timezone for c in customers}
    contacts_by_customer: dict[int, list[PastContact]] = defaultdict(list)
    for customer_id, occurred, channel, stage, wording in conn.execute(
        sa.select(
            col(Contact.customer_id),
            col(Contact.occurred_at),
            col(Contact.channel),
            col(Contact.stage),
            col(Contact.wording),
        )
        .where(col(Contact.occurred_at) >= since, col(Contact.stage) != "thanks")
        .where(_of_customers(col(Contact.customer_id), only, between))
        .order_by(col(Contact.customer_id), col(Contact.occurred_at))
    ).all():
        if customer_id in zones:
            contacts_by_customer[customer_id].append(
                PastContact(local_today(occurred, zones[customer_id]), stage, channel, wording)
            )
    return [
        (
            customer,
            Account(
                customer_id=customer.id,
                country=customer.country,
                timezone=customer.timezone,
                invoices=tuple(items_by_customer[customer.id]),
                contacts=tuple(contacts_by_customer[customer.id]),
                paused=customer.paused,
                paused_until=customer.paused_until,
                hold=current_hold(
                    customer.hold_reason, customer.held_until, customer.held_email, customer.email
                ),
                email_failing=bool(customer.email_problem),
                credits=tuple(credits_by_customer[customer.id]),
                last_answer=(
                    local_today(answered[customer.id], customer.timezone)
                    if customer.id in answered
                    else None
                ),
            ),
        )
        for customer in sorted(customers, key=lambda c: c.name.casefold())
    ]


def last_answers(
    session: Session, since: datetime, only: Collection[int] | None = None
) -> dict[int, datetime]:
    """When each customer last answered (a reply read from the mailbox, a promise, a dispute)
    since `since`: three grouped queries, whatever the number of customers."""
    conn = session.connection()
    scope = sa.true() if only is None else col(Invoice.customer_id).in_(sorted(only))
    found: dict[int, datetime] = {}
    queries = [
        sa.select(col(InboundMessage.customer_id), sa.func.max(col(InboundMessage.received_at)))
        .where(
            col(InboundMessage.kind) == Kind.REPLY,
            col(InboundMessage.received_at) >= since,
            sa.true() if only is None else col(InboundMessage.customer_id).in_(sorted(only)),
        )
        .group_by(col(InboundMessage.customer_id)),
        *(
            sa.select(col(Invoice.customer_id), sa.func.max(when))
            .join(table, col(Invoice.id) == invoice_id)
            .where(when >= since, scope)
            .group_by(col(Invoice.customer_id))
            for table, invoice_id, when in (
                (Promise, col(Promise.invoice_id), col(Promise.created_at)),
                (Dispute, col(Dispute.invoice_id), col(Dispute.opened_at)),
            )
        ),
    ]
    for query in queries:
        for customer_id, latest in conn.execute(query).all():
            if customer_id is not None and latest is not None:
                latest = latest if latest.tzinfo else latest.replace(tzinfo=UTC)
                found[customer_id] = max(found.get(customer_id, latest), latest)
    return found


def cause_of(exc: Exception) -> Phrase | str:
    """An error in words for the person reading the digest or the card (the error's own text,
    when it is not one the app words)."""
    if isinstance(exc, TemplateNotFound):
        return phrase("the template {name} is missing", name=exc.name)
    if isinstance(exc, Said):
        return exc.phrase
    if isinstance(exc, LookupError):
        return str(exc.args[0]) if exc.args else type(exc).__name__  # KeyError quotes str()
    return f"{type(exc).__name__}: {exc}"


def failure(customer: CustomerView, exc: Exception) -> CustomerDecision:
    """One customer's error as that customer's "no suggestion, because …": the others go on."""
    cause = cause_of(exc)
    log.warning("no suggestion for customer %s: %s", customer.external_id, cause, exc_info=exc)
    return CustomerDecision(
        customer, NoAction(Reason.FAILED, phrase("no suggestion, because {cause}", cause=cause))
    )


def decide_for(
    customer: CustomerView,
    account: Account,
    policy: Policy,
    now: datetime,
    segments: Segments | None,
) -> CustomerDecision:
    try:
        if segments is None or not segments.policies:
            return CustomerDecision(customer, decide(account, policy, now))
        return _decide_in_segment(customer, account, policy, segments, now)
    except Exception as exc:  # one customer's error never stops the morning
        return failure(customer, exc)


@no_cycle_collection()
def todays_decisions(
    session: Session, policy: Policy, now: datetime, segments: Segments | None = None
) -> list[CustomerDecision]:
    """Each customer decided by its segment's policy (`policy` for those in none)."""
    return [
        decide_for(customer, account, policy, now, segments)
        for customer, account in load_accounts(session)
    ]


def _decide_in_segment(
    customer: CustomerView, account: Account, main: Policy, segments: Segments, now: datetime
) -> CustomerDecision:
    segment, policy = segments.deciding(
        customer.segment, customer.country, owed(account.invoices), main
    )
    if policy is None:
        held = NoAction(
            Reason.UNKNOWN_SEGMENT,
            phrase(
                "the customer's segment {segment} has no policy: add it under [[segments]]",
                segment=repr(segment),
            ),
        )
        return CustomerDecision(customer, held, segment)
    return CustomerDecision(customer, decide(account, policy, now), segment)


@dataclass(frozen=True, slots=True)
class Suggested:
    """A reminder a morning stored, as its run reports it (its texts are written later)."""

    numbers: tuple[str, ...]  # the invoices it chases, in order
    id: int
    customer_id: int
    stage: str
    channel: str
    language: str
    wording: str
    owner: str
    auto_at: datetime | None
    send_after: datetime | None
    stage_note: str
    segment: str

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id",
        "customer_id",
        "stage",
        "channel",
        "language",
        "wording",
        "owner",
        "auto_at",
        "send_after",
        "stage_note",
        "segment",
    )

    @property
    def invoice_numbers(self) -> str:
        return invoice_list.joined(self.numbers)


@dataclass(frozen=True)
class SuggestionRun:
    run_date: date
    created: list[Suggested]  # empty unless the run keeps its details
    decisions: list[CustomerDecision]  # likewise
    held_back: dict[str, int] = field(default_factory=dict)  # reason -> customers, most first
    failed: list[tuple[str, Phrase]] = field(default_factory=list)  # (customer name, cause)


def held_back(decisions: Iterable[CustomerDecision]) -> Counter[str]:
    """How many customers with something late get no reminder today, by reason."""
    return Counter(
        d.decision.reason.value
        for d in decisions
        if isinstance(d.decision, NoAction) and d.decision.reason is not Reason.NOTHING_DUE
    )


def failures(decisions: Iterable[CustomerDecision]) -> list[tuple[str, Phrase]]:
    """(customer name, cause) of each customer whose suggestion failed."""
    return [
        (d.customer.name, d.decision.detail)
        for d in decisions
        if isinstance(d.decision, NoAction) and d.decision.reason is Reason.FAILED
    ]


#: A thank-you note is not a chase: it is suggested after an import beside whatever the rest of
#: the account still calls for, and never stands in for today's reminder. Nor is a payment
#: plan's notice (services/plan_notices.py).
FOLLOW_UP_STAGES = ("thanks", "plan-confirmed", "plan-due", "plan-missed")


def _chased_today(
    session: Session, run_date: date, between: tuple[int, int] | None = None
) -> set[int]:
    return set(
        session.exec(
            select(Reminder.customer_id).where(
                col(Reminder.run_date) == run_date,
                col(Reminder.stage).not_in(FOLLOW_UP_STAGES),
                _of_customers(col(Reminder.customer_id), None, between),
            )
        ).all()
    )


def _store(conn: sa.Connection, rows: list[tuple[object, ...]], created: list[Suggested]) -> None:
    """The morning's reminders (`rows`) and their invoice lists, in bulk."""
    insert_rows(
        conn,
        Reminder,
        (*Suggested.COLUMNS, "run_date", "auto_rule", "drafted", "created_at"),
        rows,
    )
    insert_rows(
        conn,
        ReminderInvoice,
        ReminderInvoice.COLUMNS,
        [row for r in created for row in ReminderInvoice.rows(r.id, r.numbers)],
    )


#: Customers decided and stored together: enough that a batch's queries and bulk inserts cost
#: little per customer, few enough that a morning's memory stays flat as the ledger grows.
BATCH = 5_000


@no_cycle_collection()
def suggest(
    engine: Engine,
    policy: Policy,
    composer: Composer,
    now: datetime,
    run_date: date,
    actor: str = "relance",
    segments: Segments | None = None,
    *,
    details: bool = True,
    batch: int = BATCH,
) -> SuggestionRun:
    """Store today's suggestions as reminders awaiting a decision (once per customer per day),
    and retire yesterday's undecided ones: their amounts and stage may no longer hold.

    Customers are decided and stored a batch at a time (by id, each batch its own
    transaction), so a ledger ten times larger takes ten times the time, not the memory. With
    `details` off the run keeps counts and failures only, not every decision and reminder (the
    scheduled morning: nobody reads a million decisions). A second run adds only what is new.

    The texts are not written here: a morning suggests thousands, people read a few pages, and
    writing them cost five times the deciding. Each reminder keeps its planned wording and is
    written when first shown, edited or approved (`drafting.write_pending`), from the same
    facts. Planning the wording still finds a stage without a template in this customer's
    language, so that failure stays the customer's own, named in the digest."""
    with unit_of_work(engine) as session:
        expiring = move(ReminderState.EXPIRED)
        session.exec(
            sa.update(Reminder)
            .where(in_sources(col(Reminder.state), expiring), col(Reminder.run_date) < run_date)
            .values(state=expiring.target)
        )
    wording_for = functools.cache(composer.wording)  # the template folders listed once
    created: list[Suggested] = []
    decisions: list[CustomerDecision] = []
    held: Counter[str] = Counter()
    failed: list[tuple[str, Phrase]] = []
    stored_count = 0
    with ThreadPoolExecutor(1, thread_name_prefix="store") as writer:
        for between in customer_batches(engine, batch):
            decided, stored = _suggest_batch(
                engine,
                policy,
                composer,
                wording_for,
                now,
                run_date,
                actor,
                segments,
                between,
                writer,
            )
            held.update(held_back(decided))
            failed.extend(failures(decided))
            stored_count += len(stored)
            if details:
                decisions.extend(decided)
                created.extend(stored)
    if stored_count:  # the digest reads them next: its plans must know they are there
        refresh_statistics(engine, Reminder, ReminderInvoice)
    return SuggestionRun(
        run_date,
        created,
        sorted(decisions, key=lambda d: d.customer.name.casefold()),
        dict(held.most_common()),
        sorted(failed, key=lambda f: f[0].casefold()),
    )


def _suggest_batch(
    engine: Engine,
    policy: Policy,
    composer: Composer,
    wording_for: Callable[[str, Channel, str, str], tuple[str, str]],
    now: datetime,
    run_date: date,
    actor: str,
    segments: Segments | None,
    between: tuple[int, int],
    writer: ThreadPoolExecutor,
) -> tuple[list[CustomerDecision], list[Suggested]]:
    """One batch of customers decided, planned and stored in one transaction."""
    with read_only(engine) as session:
        decisions = [
            decide_for(customer, account, policy, now, segments)
            for customer, account in load_accounts(session, between=between)
        ]
        already = _chased_today(session, run_date, between)
    planned: list[tuple[CustomerView, Suggestion, tuple[str, str], str]] = []
    for n, item in enumerate(decisions):
        if not isinstance(item.decision, Suggestion) or item.customer.id in already:
            continue
        customer, decision = item.customer, item.decision
        try:
            composer.check_figures(customer, decision, local_today(now, customer.timezone))
            stage = decision.stage
            language_and_wording = wording_for(
                customer.language, stage.channel, stage.template, decision.last_wording
            )
        except Exception as exc:  # one customer's error never stops the morning
            decisions[n] = failure(item.customer, exc)
            continue
        planned.append((item.customer, item.decision, language_and_wording, item.segment))
    if not planned:
        return decisions, []
    with unit_of_work(engine) as session:
        already = _chased_today(session, run_date, between)  # another instance was quicker?
        planned = [p for p in planned if p[0].id not in already]
        # Ids drawn up front, one bulk insert of plain rows, nothing read back: validated model
        # objects cost more, one by one, than everything else stored here, and reading back
        # twenty thousand rows just written costs about as much as writing them.
        conn = session.connection()
        rows: list[tuple[object, ...]] = []
        created: list[Suggested] = []
        ids = new_ids(conn, Reminder, len(planned))
        for reminder_id, (customer, decision, (language, wording), segment) in zip(
            ids, planned, strict=True
        ):
            stage = decision.stage
            routing = route(
                decision,
                customer.owner,
                customer.country,
                customer.timezone,
                segments.policy_or_main(segment, policy) if segments else policy,
                now,
            )
            values = (  # Suggested.COLUMNS, in order
                reminder_id,
                customer.id,
                stage.name,
                stage.channel.value,
                language,
                wording,
                routing.owner,
                routing.auto_at,
                decision.send_after,
                decision.note,
                segment,
            )
            created.append(Suggested(tuple(i.number for i in decision.invoices), *values))
            # the instant drafting decides again at is the morning's
            rows.append((*values, run_date, routing.auto_rule, False, now))
        # The database takes the reminders and their lists on this transaction's connection,
        # from a second thread, while this one links their audit events (Python's work, no
        # database): the chain's head is read first, under its lock.
        chain = audit.head(session)
        stored = writer.submit(_store, conn, rows, created)
        events = audit.linked(
            chain,
            [
                audit.NewEvent.about(r, "suggested", actor, stage=r.stage, wording=r.wording)
                for r in created
            ],
        )
        stored.result()
        audit.store(session, events)
    return decisions, created
