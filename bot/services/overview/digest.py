"""The daily digest: what is overdue, what changed since the last one, who owes most, which
promises fall due or were broken, which sends failed, and what awaits a decision.

Posting happens once per day and channel, whatever the number of instances: the right to post
is claimed by inserting a unique (day, channel) row. A claim that was never marked posted (its
instance died) may be taken over after `STALE_CLAIM`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import read_only, unit_of_work
from bot.domain.aging import Bucket
from bot.domain.late_payment import LawBook
from bot.domain.money import Money
from bot.domain.rate_series import StaleTable, stale_tables
from bot.domain.states import ReminderState
from bot.models import (
    DigestRun,
    Reminder,
    utcnow,
)
from bot.rendering.staff_text import Phrase
from bot.services.audit import checkpoint as audit_checkpoint
from bot.services.common.queries import get
from bot.services.ledger.aging_report import AgingReport
from bot.services.overview.ledger_facts import (
    OVERDUE_KEY,
    _awaiting_totals,
)
from bot.services.overview.ledger_facts import FailedSend as FailedSend
from bot.services.overview.ledger_facts import LedgerFacts as LedgerFacts
from bot.services.overview.ledger_facts import PromiseLine as PromiseLine
from bot.services.overview.ledger_facts import ledger_facts as ledger_facts
from bot.services.reminders.holds import HeldCustomer

STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class Digest:
    run_date: date
    aging: AgingReport
    overdue: dict[str, Money]
    previous: dict[str, Money] | None  # the overdue totals of the last digest posted before
    promises_due: list[PromiseLine]
    promises_broken: list[PromiseLine]
    failed: list[FailedSend]
    awaiting: dict[str, int]  # stage -> reminders awaiting a decision today
    missed_plans: list[str] = field(default_factory=list)  # customers who missed an instalment
    #: (customer, what the reply mailbox said) for each address that bounced or whose contact
    #: left: their reminders go by phone until the contact is fixed
    failing_addresses: list[tuple[str, str]] = field(default_factory=list)
    #: (customer, cause) of each customer whose suggestion failed today
    not_suggested: list[tuple[str, Phrase]] = field(default_factory=list)
    held: list[HeldCustomer] = field(default_factory=list)  # held by a skip reason
    # the last digest's overdue per currency and bucket (None before the first, or when the
    # last one was stored before buckets were kept)
    previous_buckets: dict[str, dict[Bucket, Money]] | None = None
    awaiting_by_owner: dict[str, int] = field(default_factory=dict)  # '' = nobody's
    in_thread: int = 0  # of those awaiting, the ones that need the channel
    held_back: dict[str, int] = field(default_factory=dict)  # reason -> customers, when known
    awaiting_totals: dict[str, list[Money]] = field(default_factory=dict)  # stage -> per currency
    one_by_one: frozenset[str] = frozenset()  # stages never approved all at once
    cash_collected: dict[str, Money] = field(default_factory=dict)  # since the last digest
    cash_unapplied: dict[str, Money] = field(default_factory=dict)  # received, on no invoice
    #: the rate tables a week past a fixing they do not reach: said on Mondays only
    stale_rates: list[StaleTable] = field(default_factory=list)
    by_phone: frozenset[str] = frozenset()  # calls: made and logged, never approved all at once
    stage_titles: dict[str, str] = field(default_factory=dict)  # key -> the policy's label

    def title(self, stage: str) -> str:
        """The stage as staff read it: the policy's label, never its key."""
        return self.stage_titles.get(stage) or stage.replace("_", " ").capitalize()

    @property
    def owners(self) -> dict[str, int]:
        """Each owner's count of reminders awaiting them, the largest first."""
        owned = {o: n for o, n in self.awaiting_by_owner.items() if o}
        return dict(sorted(owned.items(), key=lambda item: (-item[1], item[0])))

    def currencies(self) -> list[str]:
        """Today's currencies and the last digest's: a currency paid off since shows its fall."""
        return sorted(set(self.aging.currencies()) | set(self.previous or {}))

    def overdue_in(self, currency: str) -> Money:
        return self.overdue.get(currency, Money.of_minor(0, currency))

    def previous_in(self, currency: str) -> Money | None:
        """The last digest's overdue total, zero for a currency it did not have; None when there
        was no last digest."""
        if self.previous is None:
            return None
        return self.previous.get(currency, Money.of_minor(0, currency))

    def overdue_buckets(self, currency: str) -> dict[Bucket, Money]:
        return {
            t.bucket: t.balance
            for t in self.aging.totals
            if t.currency == currency and t.bucket is not Bucket.NOT_DUE
        }

    def previous_bucket(self, currency: str, bucket: Bucket) -> Money | None:
        if self.previous_buckets is None:
            return None
        return self.previous_buckets.get(currency, {}).get(bucket, Money.of_minor(0, currency))


def stored_totals(digest: Digest) -> str:
    """What a posted digest keeps for the next one: overdue per currency, and per bucket."""
    return json.dumps(
        {
            currency: {
                OVERDUE_KEY: digest.overdue_in(currency).minor,
                **{b.value: m.minor for b, m in digest.overdue_buckets(currency).items()},
            }
            for currency in digest.aging.currencies()
        }
    )


def build_digest(
    engine: Engine,
    run_date: date,
    channel: str,
    top: int = 10,
    not_suggested: list[tuple[str, Phrase]] | None = None,
    channel_stages: Collection[str] = (),
    one_by_one: Collection[str] = (),
    ledger: LedgerFacts | None = None,
    laws: LawBook | None = None,
    by_phone: Collection[str] = (),
    stage_titles: dict[str, str] | None = None,
) -> Digest:
    """`channel_stages`: the stages whose cards the thread holds even when owned;
    `one_by_one`: the stages the digest offers no *Approve all* for; `ledger`: the ledger's
    facts when already read (else read here); `laws`: the law book whose rate tables the
    Monday digest checks (once a week is enough to be acted on, not so often it is ignored)."""
    ledger = ledger or ledger_facts(engine, run_date, channel, top)
    with read_only(engine) as session:
        # today's undecided reminders counted once, by stage and owner; summed three ways here
        counts = session.execute(
            sa.select(col(Reminder.stage), col(Reminder.owner), sa.func.count())
            .where(
                col(Reminder.run_date) == run_date,
                col(Reminder.state) == ReminderState.SUGGESTED,
            )
            .group_by(col(Reminder.stage), col(Reminder.owner))
        ).all()
        awaiting_totals = _awaiting_totals(session, run_date)
    awaiting: Counter[str] = Counter()
    by_owner: Counter[str] = Counter()
    for stage, owner, count in counts:
        awaiting[stage] += count
        by_owner[owner] += count
    in_thread = sum(count for stage, owner, count in counts if not owner or stage in channel_stages)
    return Digest(
        awaiting_totals=awaiting_totals,
        one_by_one=frozenset(one_by_one),
        by_phone=frozenset(by_phone),
        stage_titles=dict(stage_titles or {}),
        run_date=run_date,
        overdue={c: ledger.aging.total(c, overdue_only=True) for c in ledger.aging.currencies()},
        awaiting_by_owner=dict(by_owner),
        in_thread=in_thread,
        awaiting=dict(awaiting),
        not_suggested=list(not_suggested or []),
        aging=ledger.aging,
        previous=ledger.previous,
        previous_buckets=ledger.previous_buckets,
        promises_due=ledger.promises_due,
        promises_broken=ledger.promises_broken,
        failed=ledger.failed,
        failing_addresses=ledger.failing_addresses,
        missed_plans=ledger.missed_plans,
        held=ledger.held,
        cash_collected=ledger.cash_collected,
        cash_unapplied=ledger.cash_unapplied,
        stale_rates=stale_tables(laws, run_date) if laws and run_date.weekday() == 0 else [],
    )


def claim(
    engine: Engine, run_date: date, channel: str, instance: str, now: datetime | None = None
) -> DigestRun | None:
    """The right to post today's digest to `channel`, or None when another instance has it."""
    now = now or utcnow()
    try:
        with unit_of_work(engine) as session:
            run = DigestRun(run_date=run_date, channel=channel, claimed_by=instance, claimed_at=now)
            session.add(run)
            session.flush()
            return run
    except sa.exc.IntegrityError:
        pass
    with unit_of_work(engine) as session:  # take over a claim whose instance died
        taken = session.exec(
            sa.update(DigestRun)
            .where(
                col(DigestRun.run_date) == run_date,
                col(DigestRun.channel) == channel,
                col(DigestRun.posted_at).is_(None),
                col(DigestRun.claimed_at) < now - STALE_CLAIM,
            )
            .values(claimed_by=instance, claimed_at=now)
        )
        if taken.rowcount != 1:
            return None
        return session.exec(
            select(DigestRun).where(
                col(DigestRun.run_date) == run_date, col(DigestRun.channel) == channel
            )
        ).one()


def mark_posted(engine: Engine, run_id: int, message_ts: str, digest: Digest) -> None:
    """The digest went out; the audit chain's head is recorded with it (once a morning: the
    trail is later checked against it, services/audit_checkpoint.py)."""
    with unit_of_work(engine) as session:
        run = get(session, DigestRun, run_id)
        run.posted_at = utcnow()
        audit_checkpoint.record_head(session, run.posted_at)
        run.message_ts = message_ts
        run.totals = stored_totals(digest)


def digest_thread(engine: Engine, run_date: date, channel: str) -> str | None:
    """The ts of today's posted digest in `channel`, where cards and later notes go."""
    with read_only(engine) as session:
        return session.exec(
            select(DigestRun.message_ts).where(
                col(DigestRun.run_date) == run_date,
                col(DigestRun.channel) == channel,
                col(DigestRun.posted_at).is_not(None),
            )
        ).first()
