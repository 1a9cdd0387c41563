"""My morning: the reminders awaiting one owner's decision today, a page at a time, each with
the facts needed to decide it without opening anything else; and a lead's view of everyone's
progress. Read-only; a page costs a handful of queries whatever the worklist's length."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.db import read_only
from bot.domain.money import Money, totals_by_currency
from bot.domain.states import PlanState, PromiseState, ReminderState
from bot.models import Contact, Customer, Dispute, Invoice, PaymentPlan, Promise, Reminder
from bot.services.common.queries import listed
from bot.services.inbox.replies_waiting import count_waiting

#: Rows per Home page: one block each, plus one checkbox group per ten, so a page stays
#: within Slack's 100 blocks per Home view with room for the team's progress.
PAGE_SIZE = 50
NOBODY = ""  # the owner of reminders nobody owns


@dataclass(frozen=True)
class LastContact:
    day: datetime
    channel: str
    stage: str
    outcome: str


@dataclass(frozen=True)
class CustomerFacts:
    """What a person weighs before a reminder goes: the last contact, and what holds."""

    last_contact: LastContact | None = None
    promised: bool = False  # an open promise to pay on an open invoice
    disputed: bool = False  # an open dispute on an open invoice
    on_plan: bool = False  # an active payment plan
    history: tuple[str, ...] = ()  # the stages of its last contacts, oldest first
    replies_waiting: int = 0  # its replies no person has acted on yet


NO_FACTS = CustomerFacts()
HISTORY_SHOWN = 5  # the last stages a card shows


def customer_facts(conn: sa.Connection, customers: list[int]) -> dict[int, CustomerFacts]:
    """The facts of each customer in `customers`, in six queries whatever their number."""
    if not customers:
        return {}
    open_of = sa.select(col(Invoice.id)).where(
        col(Invoice.customer_id).in_(customers), col(Invoice.amount_minor) > col(Invoice.paid_minor)
    )
    promised, disputed, on_plan = _held_customers(conn, customers, open_of)
    contacts = _last_contacts(conn, customers)
    history: dict[int, list[str]] = {}
    for customer_id, stage in conn.execute(
        sa.select(col(Contact.customer_id), col(Contact.stage))
        .where(
            col(Contact.customer_id).in_(customers),
            col(Contact.stage) != "",
            col(Contact.stage) != "thanks",
        )
        .order_by(col(Contact.customer_id), col(Contact.occurred_at))
    ).all():
        history.setdefault(customer_id, []).append(stage)
    replies = count_waiting(conn, customers)
    return {
        c: CustomerFacts(
            contacts.get(c),
            c in promised,
            c in disputed,
            c in on_plan,
            tuple(history.get(c, [])[-HISTORY_SHOWN:]),
            replies.get(c, 0),
        )
        for c in customers
    }


def _held_customers(
    conn: sa.Connection, customers: list[int], open_of: sa.Select[int | None]
) -> tuple[set[int], set[int], set[int]]:
    """Which of `customers` have an open invoice promised, one disputed, and a plan on
    track (`open_of`: their open invoices' ids)."""
    promised = set(
        conn.execute(
            sa.select(col(Invoice.customer_id))
            .join(Promise, col(Promise.invoice_id) == col(Invoice.id))
            .where(col(Invoice.id).in_(open_of), col(Promise.state) == PromiseState.OPEN)
        ).scalars()
    )
    disputed = set(
        conn.execute(
            sa.select(col(Invoice.customer_id))
            .join(Dispute, col(Dispute.invoice_id) == col(Invoice.id))
            .where(col(Invoice.id).in_(open_of), col(Dispute.resolved_at).is_(None))
        ).scalars()
    )
    on_plan = set(
        conn.execute(
            sa.select(col(PaymentPlan.customer_id)).where(
                col(PaymentPlan.customer_id).in_(customers),
                col(PaymentPlan.state) == PlanState.ACTIVE,
            )
        ).scalars()
    )
    return promised, disputed, on_plan


def _last_contacts(conn: sa.Connection, customers: list[int]) -> dict[int, LastContact]:
    """Each customer's latest contact."""
    latest = (
        sa.select(col(Contact.customer_id), sa.func.max(col(Contact.occurred_at)).label("at"))
        .where(col(Contact.customer_id).in_(customers))
        .group_by(col(Contact.customer_id))
        .subquery()
    )
    return {
        customer_id: LastContact(at, channel, stage, outcome)
        for customer_id, at, channel, stage, outcome in conn.execute(
            sa.select(
                col(Contact.customer_id),
                col(Contact.occurred_at),
                col(Contact.channel),
                col(Contact.stage),
                col(Contact.outcome),
            ).join(
                latest,
                sa.and_(
                    latest.c.customer_id == col(Contact.customer_id),
                    latest.c.at == col(Contact.occurred_at),
                ),
            )
        ).all()
    }


@dataclass(frozen=True)
class WorkItem:
    reminder_id: int
    customer: str
    stage: str
    channel: str
    totals: list[Money]
    oldest_days_late: int
    facts: CustomerFacts
    phone: str
    auto_at: datetime | None  # approved by the policy then, unless stopped before
    email_problem: str = ""  # a hard bounce or a contact who left: call instead
    final_notice: bool = False  # statutory rights or a letter: its legal part can be read in full


@dataclass(frozen=True)
class Worklist:
    owner: str
    today: date
    page: int
    pages: int
    total: int
    by_stage: dict[str, int]  # in the policy's order
    items: list[WorkItem]  # in the policy's stage order, largest first within a stage
    nobodys: int  # reminders nobody owns, which any approver may take


@dataclass(frozen=True)
class OwnerProgress:
    owner: str  # NOBODY for the unowned
    decided: int
    waiting: int


def _stage_rank(stages: list[str]) -> sa.Case[Any]:
    return sa.case({name: rank for rank, name in enumerate(stages)}, value=Reminder.stage, else_=99)


def worklist(
    engine: Engine,
    today: date,
    owner: str,
    stages: list[str],
    page: int = 0,
    size: int = PAGE_SIZE,
    legal_stages: Collection[str] = (),
) -> Worklist:
    """`owner`'s undecided reminders of `today` (NOBODY: the unowned), page `page` (from 0);
    rows of `legal_stages` (final notices) offer their legal part in full."""
    mine = (
        col(Reminder.run_date) == today,
        col(Reminder.state) == ReminderState.SUGGESTED,
        col(Reminder.owner) == owner,
    )
    with read_only(engine) as session:
        conn = session.connection()
        counts: dict[str, int] = dict(
            conn.execute(
                sa.select(col(Reminder.stage), sa.func.count())
                .where(*mine)
                .group_by(col(Reminder.stage))
            ).all()
        )
        nobodys = _nobodys(conn, today)
        total = sum(counts.values())
        pages = max(1, -(-total // size))
        page = min(max(page, 0), pages - 1)
        rows = conn.execute(
            sa.select(
                col(Reminder.id),
                col(Reminder.customer_id),
                col(Reminder.stage),
                col(Reminder.channel),
                col(Reminder.auto_at),
                col(Customer.name),
                col(Customer.phone),
                col(Customer.email_problem),
                col(Reminder.stage).in_(list(legal_stages)).label("final_notice"),
            )
            .join(Customer, col(Customer.id) == col(Reminder.customer_id))
            .where(*mine)
            .order_by(_stage_rank(stages), _customer_total().desc(), col(Reminder.id))
            .offset(page * size)
            .limit(size)
        ).all()
        items = _items(conn, today, rows)
    order = [*stages, *sorted(set(counts) - set(stages))]
    by_stage = {s: counts[s] for s in order if s in counts}
    return Worklist(owner, today, page, pages, total, by_stage, items, nobodys)


def _nobodys(conn: sa.Connection, today: date) -> int:
    """How many of today's reminders nobody owns and nobody decided yet."""
    return int(
        conn.execute(
            sa.select(sa.func.count()).where(
                col(Reminder.run_date) == today,
                col(Reminder.state) == ReminderState.SUGGESTED,
                col(Reminder.owner) == NOBODY,
            )
        ).scalar_one()
    )


def _customer_total() -> sa.ScalarSelect[Any]:
    """What a reminder's customer owes in all, for the largest first."""
    return (
        sa.select(sa.func.sum(col(Invoice.amount_minor) - col(Invoice.paid_minor)))
        .where(
            col(Invoice.customer_id) == col(Reminder.customer_id),
            col(Invoice.amount_minor) > col(Invoice.paid_minor),
        )
        .scalar_subquery()
    )


#: a worklist line as read: reminder id, customer id, stage, channel, auto time, name, phone,
#: e-mail problem, final notice
_Line = sa.Row[int | None, int, str, str, datetime | None, str, str, str, bool]


def _items(conn: sa.Connection, today: date, rows: Sequence[_Line]) -> list[WorkItem]:
    if not rows:
        return []
    customers = [r.customer_id for r in rows]
    lists = listed(conn, [r.id for r in rows])
    numbers = {n for listing in lists.values() for n in listing}
    invoices = {
        number: (currency, amount - paid, due)
        for number, currency, amount, paid, due in conn.execute(
            sa.select(
                col(Invoice.number),
                col(Invoice.currency),
                col(Invoice.amount_minor),
                col(Invoice.paid_minor),
                col(Invoice.due_date),
            ).where(col(Invoice.number).in_(numbers))
        ).all()
    }
    facts = customer_facts(conn, customers)
    items = []
    for r in rows:
        mine = [invoices[n] for n in lists.get(r.id, ()) if n in invoices]
        items.append(
            WorkItem(
                reminder_id=r.id,
                customer=r.name,
                stage=r.stage,
                channel=r.channel,
                totals=totals_by_currency(Money.of_minor(b, c) for c, b, _d in mine),
                oldest_days_late=max(((today - d).days for _c, _b, d in mine), default=0),
                facts=facts.get(r.customer_id, NO_FACTS),
                phone=r.phone,
                auto_at=r.auto_at,
                email_problem=r.email_problem,
                final_notice=bool(r.final_notice),
            )
        )
    return items


_NOT_DECIDED_BY_A_PERSON = (ReminderState.SUGGESTED, ReminderState.EXPIRED, ReminderState.CANCELLED)


def progress(engine: Engine, today: date) -> list[OwnerProgress]:
    """Each owner's decided and waiting reminders of today, the most waiting first."""
    waiting = sa.func.sum(sa.case((col(Reminder.state) == ReminderState.SUGGESTED, 1), else_=0))
    # decided by someone: neither waiting nor retired by the system (expired, cancelled)
    decided = sa.func.sum(
        sa.case((col(Reminder.state).not_in(_NOT_DECIDED_BY_A_PERSON), 1), else_=0)
    )
    with read_only(engine) as session:
        rows = (
            session.connection()
            .execute(
                sa.select(col(Reminder.owner), decided, waiting)
                .where(col(Reminder.run_date) == today)
                .group_by(col(Reminder.owner))
            )
            .all()
        )
    return sorted(
        (OwnerProgress(owner, int(d or 0), int(w or 0)) for owner, d, w in rows),
        key=lambda p: (-p.waiting, p.owner),
    )
