"""Today's suggestions: every customer with open invoices gets a decision — a reminder to
approve, or the reason none is due — computed from the database in a handful of queries.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import insert_rows, new_ids, read_only, refresh_statistics, unit_of_work
from bot.domain.calendar import local_today
from bot.domain.escalation import (
    Account,
    NoAction,
    Reason,
    Suggestion,
    decide,
    owed,
)
from bot.domain.policy import Channel, Policy
from bot.domain.segments import Segments
from bot.domain.states import ReminderState, move
from bot.domain.worklist import route
from bot.models import (
    Reminder,
    ReminderInvoice,
)
from bot.rendering.staff_text import Phrase, phrase
from bot.services import audit
from bot.services.common.bulk import no_cycle_collection
from bot.services.common.queries import in_sources
from bot.services.reminders.accounts_read import CustomerView as CustomerView
from bot.services.reminders.accounts_read import _of_customers, customer_batches
from bot.services.reminders.accounts_read import load_accounts as load_accounts
from bot.services.reminders.compose import Composer
from bot.services.reminders.outcomes import CustomerDecision as CustomerDecision
from bot.services.reminders.outcomes import Suggested as Suggested
from bot.services.reminders.outcomes import SuggestionRun as SuggestionRun
from bot.services.reminders.outcomes import cause_of as cause_of
from bot.services.reminders.outcomes import failure as failure
from bot.services.reminders.outcomes import failures as failures
from bot.services.reminders.outcomes import held_back as held_back

log = logging.getLogger(__name__)


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
    _expire_undecided(engine, run_date)
    wording_for = functools.cache(composer.wording)  # the template folders listed once
    tally = _Tally(details)
    with ThreadPoolExecutor(1, thread_name_prefix="store") as writer:
        for between in customer_batches(engine, batch):
            tally.add(
                *_suggest_batch(
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
            )
    if tally.stored:  # the digest reads them next: its plans must know they are there
        refresh_statistics(engine, Reminder, ReminderInvoice)
    return tally.run(run_date)


def _expire_undecided(engine: Engine, run_date: date) -> None:
    """Yesterday's undecided reminders retired: their amounts and stage may no longer hold."""
    with unit_of_work(engine) as session:
        expiring = move(ReminderState.EXPIRED)
        session.exec(
            sa.update(Reminder)
            .where(in_sources(col(Reminder.state), expiring), col(Reminder.run_date) < run_date)
            .values(state=expiring.target)
        )


@dataclass
class _Tally:
    """A morning's batches added up: counts and failures always, every decision and reminder
    only with `details`."""

    details: bool
    created: list[Suggested] = field(default_factory=list)
    decisions: list[CustomerDecision] = field(default_factory=list)
    held: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, Phrase]] = field(default_factory=list)
    stored: int = 0

    def add(self, decided: list[CustomerDecision], stored: list[Suggested]) -> None:
        self.held.update(held_back(decided))
        self.failed.extend(failures(decided))
        self.stored += len(stored)
        if self.details:
            self.decisions.extend(decided)
            self.created.extend(stored)

    def run(self, run_date: date) -> SuggestionRun:
        return SuggestionRun(
            run_date,
            self.created,
            sorted(self.decisions, key=lambda d: d.customer.name.casefold()),
            dict(self.held.most_common()),
            sorted(self.failed, key=lambda f: f[0].casefold()),
        )


_Planned = tuple[CustomerView, Suggestion, tuple[str, str], str]


def _plan(
    decisions: list[CustomerDecision],
    already: Collection[int],
    composer: Composer,
    wording_for: Callable[[str, Channel, str, str], tuple[str, str]],
    now: datetime,
) -> list[_Planned]:
    """Each suggestion not yet made today, with its language, wording and segment; a customer
    whose figures or templates fail becomes a failure in `decisions`, the others go on."""
    planned: list[_Planned] = []
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
    return planned


def _rows(
    ids: Iterable[int],
    planned: list[_Planned],
    policy: Policy,
    segments: Segments | None,
    now: datetime,
    run_date: date,
) -> tuple[list[tuple[object, ...]], list[Suggested]]:
    """The reminders' rows to insert, and what the run reports of each, routed to its owner."""
    rows: list[tuple[object, ...]] = []
    created: list[Suggested] = []
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
    return rows, created


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
    planned = _plan(decisions, already, composer, wording_for, now)
    if not planned:
        return decisions, []
    with unit_of_work(engine) as session:
        already = _chased_today(session, run_date, between)  # another instance was quicker?
        planned = [p for p in planned if p[0].id not in already]
        # Ids drawn up front, one bulk insert of plain rows, nothing read back: validated model
        # objects cost more, one by one, than everything else stored here, and reading back
        # twenty thousand rows just written costs about as much as writing them.
        conn = session.connection()
        ids = new_ids(conn, Reminder, len(planned))
        rows, created = _rows(ids, planned, policy, segments, now, run_date)
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
