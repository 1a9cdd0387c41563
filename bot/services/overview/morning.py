"""The morning, as one use case: is today due, settle promises and plans, suggest, build the
digest, and claim the day's post. The scheduler, `/relance digest`, the demo and `relance
morning` all run this; Slack only renders and posts what it returns.

A dry run decides and builds the digest from the stored rows without writing anything, so a
policy can be previewed before go-live (promises past their grace still read as open there:
the decision already ignores them, only the digest's "broken" list lags one real run).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from bot.db import read_only
from bot.domain.calendar import is_business_day, local_now
from bot.domain.escalation import NoAction, Suggestion
from bot.domain.worklist import by_phone, channel_stages, one_by_one, route, stage_titles
from bot.rendering.staff_text import Phrase, language
from bot.services.accounts import plans, promises
from bot.services.common.bulk import no_cycle_collection
from bot.services.common.context import Runtime
from bot.services.overview import digest as digests
from bot.services.reminders.suggestions import (
    CustomerDecision,
    Suggested,
    SuggestionRun,
    held_back,
    suggest,
    todays_decisions,
)


@dataclass(frozen=True)
class Morning:
    run_date: date
    channel: str
    digest: digests.Digest
    decisions: list[CustomerDecision]  # every customer with an open invoice, and why (details)
    run: SuggestionRun | None  # what was stored; None in a dry run
    claim_id: int | None = None  # the day's claim on the channel, when this run holds it

    @property
    def dry_run(self) -> bool:
        return self.run is None

    @property
    def created(self) -> list[Suggested]:
        """The reminders this run stored (none in a dry run, or when all existed already)."""
        return self.run.created if self.run else []


def due(now: datetime, runtime: Runtime) -> date | None:
    """The run date when the morning is due at `now`: a business day where the company is, at
    or after the configured digest time. None otherwise."""
    settings = runtime.settings
    local = local_now(now, settings.timezone)
    if not is_business_day(local.date(), settings.country):
        return None
    if local.time() < time.fromisoformat(settings.digest_time):
        return None
    return local.date()


@no_cycle_collection()
def prepare(
    runtime: Runtime,
    now: datetime,
    channel: str,
    *,
    dry_run: bool = False,
    actor: str = "relance",
    details: bool = True,
) -> Morning:
    """Today's morning for `channel` (settled, suggested, summed up), without claiming it.
    Suggesting is idempotent: a second call adds only what is new. Without `details` the
    morning keeps its counts, not each decision and reminder: its memory stays flat however
    large the ledger (what a posted digest needs)."""
    run_date = runtime.company_today(now)
    if dry_run:
        return _preview(runtime, now, run_date, channel)
    governing = runtime.governing()  # each promise and plan settled with its customer's grace
    promises.settle(runtime.engine, run_date, governing)
    plans.settle_plans(runtime.engine, run_date, governing, runtime.composer)
    # What the digest says of the ledger does not depend on today's reminders: it is read on a
    # second connection while this one decides and stores (the database works, Python waits).
    with ThreadPoolExecutor(1, thread_name_prefix="digest") as reader:
        ledger = reader.submit(digests.ledger_facts, runtime.engine, run_date, channel)
        run = suggest(
            runtime.engine,
            runtime.policy,
            runtime.composer,
            now,
            run_date,
            actor=actor,
            segments=runtime.segments,
            details=details,
        )
        facts = ledger.result()
    digest = replace(
        _digest(runtime, run_date, channel, facts),
        held_back=run.held_back,
        not_suggested=run.failed,  # one customer's failure is named, the others went on
    )
    return Morning(run_date, channel, digest, run.decisions, run)


@dataclass(frozen=True)
class HeldBack:
    reason: str
    customers: list[tuple[str, Phrase]]  # (name, detail), by name


def who_is_held_back(runtime: Runtime, now: datetime, reason: str) -> HeldBack:
    """The customers held back today for `reason` (read-only: decided afresh, nothing stored)."""
    with read_only(runtime.engine) as session:
        decisions = todays_decisions(session, runtime.policy, now, runtime.segments)
    return HeldBack(
        reason,
        [
            (d.customer.name, d.decision.detail)
            for d in decisions
            if isinstance(d.decision, NoAction) and d.decision.reason.value == reason
        ],
    )


def _digest(
    runtime: Runtime, run_date: date, channel: str, ledger: digests.LedgerFacts | None = None
) -> digests.Digest:
    return digests.build_digest(
        runtime.engine,
        run_date,
        channel,
        channel_stages=channel_stages(*runtime.policies()),
        one_by_one=one_by_one(*runtime.policies()),
        ledger=ledger,
        laws=runtime.laws(),
        by_phone=by_phone(*runtime.policies()),
        stage_titles=stage_titles(*runtime.policies(), language=language()),
    )


def _preview(runtime: Runtime, now: datetime, run_date: date, channel: str) -> Morning:
    with read_only(runtime.engine) as session:
        decisions = todays_decisions(session, runtime.policy, now, runtime.segments)
    digest = _digest(runtime, run_date, channel)
    in_channel = channel_stages(*runtime.policies())
    would = [
        (
            item.decision.stage.name,
            route(
                item.decision,
                item.customer.owner,
                item.customer.country,
                item.customer.timezone,
                runtime.segments.policy_or_main(item.segment, runtime.policy),
                now,
            ).owner,
        )
        for item in decisions
        if isinstance(item.decision, Suggestion)
    ]
    # a preview after the real run counts what is stored too
    awaiting = Counter(stage for stage, _owner in would) | Counter(digest.awaiting)
    by_owner = Counter(owner for _stage, owner in would) | Counter(digest.awaiting_by_owner)
    in_thread = sum(1 for stage, owner in would if not owner or stage in in_channel)
    preview = replace(
        digest,
        awaiting=dict(awaiting),
        awaiting_by_owner=dict(by_owner),
        in_thread=max(in_thread, digest.in_thread),
    )
    return Morning(
        run_date,
        channel,
        replace(preview, held_back=dict(held_back(decisions).most_common())),
        decisions,
        None,
    )


def claim(
    runtime: Runtime,
    now: datetime,
    instance: str,
    channel: str,
    *,
    when_due: bool = True,
    details: bool = True,
) -> Morning | None:
    """Today's morning for `channel` if this instance is the one to post it: due (unless
    `when_due` is off, as for `/relance digest` in the digest channel), not yet posted there,
    and claimed by no live instance. None otherwise. The app posts it without `details`."""
    if not channel:
        return None
    run_date = due(now, runtime) if when_due else runtime.company_today(now)
    if run_date is None or digests.digest_thread(runtime.engine, run_date, channel):
        return None
    held = digests.claim(runtime.engine, run_date, channel, instance, now)
    if held is None:
        return None
    return replace(prepare(runtime, now, channel, details=details), claim_id=held.id)


def posted(runtime: Runtime, morning: Morning, message_ts: str) -> None:
    """The digest went out as `message_ts`: its thread is today's, its totals tomorrow's
    baseline."""
    if morning.claim_id is None:
        raise ValueError("only a claimed morning is marked posted")
    digests.mark_posted(runtime.engine, morning.claim_id, message_ts, morning.digest)
