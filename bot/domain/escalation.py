"""The escalation decision: for one customer, today, either a suggested reminder or the reason
there is none. Pure: the account and its history come in, a decision goes out.

The stage follows the customer's oldest chaseable invoice, and no stage is skipped that was never
sent in the current episode (the contacts since that invoice fell due), unless it is optional.

A stage that opens on or before the due date (a courtesy note) is about invoices coming due; once
the oldest is past due it no longer applies. Any later stage chases: it lists, and charges, only
invoices past their due date; invoices not yet due go apart, as coming due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from bot.domain.aging import days_overdue
from bot.domain.calendar import business_days_between, local_now, next_business_opening
from bot.domain.due_now import due_now, held_for_later
from bot.domain.holds import Hold
from bot.domain.ladder import by_phone, first_contact_stage, next_stage, reminders_sent
from bot.domain.money import Money, from_minor
from bot.domain.msgid import N_, Phrase, phrase, phrase_n
from bot.domain.policy import Channel, Policy, Stage
from bot.domain.promises import trusted_until


class OpenItem(NamedTuple):
    """An open invoice as the policy sees it (a tuple: ledgers hold a hundred thousand)."""

    number: str
    currency: str
    balance_minor: int
    due_date: date
    disputed: bool = False
    promised_until: date | None = None
    payment_link: str = ""
    issued: date | None = None  # the invoice's issue date, which letters list

    @property
    def balance(self) -> Money:
        return Money.of_minor(self.balance_minor, self.currency)


class OpenCredit(NamedTuple):
    """A credit note not yet applied: it is shown on the reminder and netted from its currency's
    total, never chased."""

    number: str
    currency: str
    amount_minor: int  # positive: what the company owes back
    issued: date

    @property
    def amount(self) -> Money:
        return Money.of_minor(self.amount_minor, self.currency)


class PastContact(NamedTuple):
    day: date  # the customer's local date
    stage: str
    channel: str = "email"
    wording: str = ""


class Account(NamedTuple):
    """One customer as the policy sees it (a tuple, like its items: a morning builds twenty
    thousand)."""

    customer_id: int
    country: str
    timezone: str
    invoices: tuple[OpenItem, ...]
    contacts: tuple[PastContact, ...] = ()  # oldest first
    paused: bool = False
    paused_until: date | None = None
    hold: Hold | None = None  # from a skip reason ("says paid", "wrong contact")
    email_failing: bool = False  # a hard bounce or a contact who left: e-mail reaches nobody
    credits: tuple[OpenCredit, ...] = ()  # credit notes in the customer's favour
    last_answer: date | None = None  # the customer's last reply, promise or dispute recorded


class Reason(StrEnum):
    NOTHING_DUE = N_("nothing due")
    PAUSED = N_("paused")
    HELD = N_("held after a skip")
    DISPUTED = N_("disputed")
    PROMISED = N_("promise to pay")
    UNDER_THRESHOLD = N_("balance under threshold")
    WAITING = N_("waiting for the next stage")
    CONTACT_CAP = N_("contact cap reached")
    TOO_RECENT = N_("contacted too recently")
    FAILED = N_("could not be suggested")  # an error in this customer's data or templates
    UNKNOWN_SEGMENT = N_("segment not in the policy")


@dataclass(frozen=True)
class NoAction:
    reason: Reason
    detail: Phrase  # for the customer at hand: "promised to pay by 2026-12-03 (…)"


@dataclass(frozen=True)
class Suggestion:
    stage: Stage
    invoices: tuple[OpenItem, ...]  # oldest first; past due, unless the stage is pre-due
    days_overdue: int  # of the oldest
    send_after: datetime  # aware UTC: the customer's next business hours (their days, their zone)
    last_wording: str  # the wording used last time, never to be used twice in a row
    coming_due: tuple[OpenItem, ...] = ()  # not yet due: mentioned apart, never charged
    note: str = ""  # why the ladder starts where it does, when it does not start at the bottom
    credits: tuple[OpenCredit, ...] = ()  # shown and netted, in the invoices' currencies
    # the customer replied, promised or disputed since the episode began: a text must not
    # say the reminders went unanswered
    answered: bool = False
    # which reminder of the episode this is (1 for the first that chases; 0 before anything is
    # due): a repeated stage counts on ("Third reminder") instead of repeating its words
    reminder_number: int = 0


Decision = Suggestion | NoAction


def _totals(items: Iterable[OpenItem]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for item in items:
        totals[item.currency] = totals.get(item.currency, 0) + item.balance_minor
    return totals


def _by_due_date(item: OpenItem) -> tuple[date, str]:
    return item.due_date, item.number


def owed(items: Iterable[OpenItem]) -> dict[str, Decimal]:
    """What the items come to per currency, summed in minor units: exact, and a morning asks
    it of every open invoice."""
    return {currency: from_minor(total, currency) for currency, total in _totals(items).items()}


def paused_detail(until: date | None) -> Phrase:
    """A pause in words, wherever it stops a reminder (`until`: its last day, if any)."""
    if until is None:
        return phrase("reminders are paused")
    return phrase("reminders are paused until {date}", date=until.isoformat())


def held_back(account: Account, today: date) -> NoAction | None:
    """What holds the whole account back `today`, if anything: a pause, then a hold after a
    skip ("says paid", "wrong contact")."""
    if account.paused and (account.paused_until is None or account.paused_until >= today):
        return NoAction(Reason.PAUSED, paused_detail(account.paused_until))
    if account.hold is not None and account.hold.holds_on(today):
        return NoAction(Reason.HELD, account.hold.detail)
    return None


def decide(account: Account, policy: Policy, now: datetime) -> Decision:
    """Today's decision for one customer. `now` is an aware instant: each rule below, in turn,
    may stop the reminder with its reason; past them all, the suggestion."""
    today = local_now(now, account.timezone).date()
    chaseable = chaseable_items(account, policy, today)
    if isinstance(chaseable, NoAction):
        return chaseable
    stopped = under_threshold(chaseable, policy)
    if stopped is not None:
        return stopped
    start = episode_start(chaseable, policy)
    episode = [c for c in account.contacts if c.day >= start]
    chosen = stage_for(account, policy, chaseable, episode, today)
    if isinstance(chosen, NoAction):
        return chosen
    stage, note = chosen
    stopped = contact_cap(account, policy, today) or too_recent(account, stage, today)
    if stopped is not None:
        return stopped
    return _suggestion(account, policy, now, stage, chaseable, episode, note, start, today)


def chaseable_items(
    account: Account, policy: Policy, today: date
) -> tuple[OpenItem, ...] | NoAction:
    """The invoices a reminder may chase today, oldest first, or why there are none: the
    account held back, nothing due yet, every invoice due disputed or promised."""
    stopped = held_back(account, today)
    if stopped is not None:
        return stopped
    due = due_items(account, policy, today)
    if not due:
        return NoAction(Reason.NOTHING_DUE, _nothing_due_detail(account, policy, today))
    undisputed = tuple(i for i in due if not i.disputed)
    if not undisputed:
        numbers = ", ".join(i.number for i in due)
        return NoAction(
            Reason.DISPUTED, phrase("every invoice due is disputed ({numbers})", numbers=numbers)
        )
    grace = policy.promise_grace_days
    chaseable = tuple(i for i in undisputed if not held_for_later(i, grace, today))
    if not chaseable:
        latest = max(i.promised_until for i in undisputed if i.promised_until)
        return NoAction(
            Reason.PROMISED,
            phrase(
                "promised to pay by {date} (trusted until {trusted})",
                date=latest.isoformat(),
                trusted=trusted_until(latest, grace).isoformat(),
            ),
        )
    return chaseable


def due_items(account: Account, policy: Policy, today: date) -> tuple[OpenItem, ...]:
    """The open invoices due early enough for the policy's first stage to open on, oldest
    first (a morning asks it of every open invoice)."""
    latest_due = today - timedelta(days=policy.earliest_opening)
    return tuple(
        sorted(
            (i for i in account.invoices if i.due_date <= latest_due and i.balance_minor > 0),
            key=_by_due_date,
        )
    )


def under_threshold(chaseable: tuple[OpenItem, ...], policy: Policy) -> NoAction | None:
    """Stops the reminder when every currency's balance is under the policy's minimum."""
    totals = _totals(chaseable)
    if all(
        from_minor(total, currency) < policy.min_balance.get(currency, 0)
        for currency, total in totals.items()
    ):
        shown = ", ".join(Money.of_minor(t, c).format("en") for c, t in totals.items())
        return NoAction(
            Reason.UNDER_THRESHOLD,
            phrase("balance {balance} is under the threshold", balance=shown),
        )
    return None


def episode_start(chaseable: tuple[OpenItem, ...], policy: Policy) -> date:
    """The first day of the current episode: the oldest chaseable invoice's due date, or the
    day a pre-due stage could open before it."""
    return chaseable[0].due_date + timedelta(days=min(0, policy.earliest_opening))


def stage_for(
    account: Account,
    policy: Policy,
    chaseable: tuple[OpenItem, ...],
    episode: list[PastContact],
    today: date,
) -> tuple[Stage, str] | NoAction:
    """The stage to send and the note on why the ladder starts there (empty when it does not
    start high), or why no stage is due: a first contact may start above the bottom; a stage
    by e-mail becomes the policy's call while e-mail reaches nobody."""
    days = days_overdue(chaseable[0].due_date, today)
    first = None if episode else first_contact_stage(policy, days)
    note = ""
    if first is not None:
        stage = first
        note = (
            f"first contact {days} days late: the policy starts at the {stage.name} "
            f"stage from {stage.first_contact_from_days} days"
        )
    else:
        stage_or_wait = next_stage(policy, days, episode, account.country, today)
        if not isinstance(stage_or_wait, Stage):
            return NoAction(Reason.WAITING, stage_or_wait)
        stage = stage_or_wait
    if account.email_failing and stage.channel is Channel.EMAIL:
        stage = by_phone(policy, stage)
    return stage, note


def contact_cap(account: Account, policy: Policy, today: date) -> NoAction | None:
    """Stops the reminder while the last 30 days hold the policy's cap of contacts."""
    recent = [c for c in account.contacts if c.day > today - timedelta(days=30)]
    cap = policy.max_contacts_per_30_days
    if len(recent) < cap:
        return None
    reopens = recent[-cap].day + timedelta(days=30)
    return NoAction(
        Reason.CONTACT_CAP,
        phrase_n(
            "{count} contact in the last 30 days (cap {cap}); next possible on {date}",
            "{count} contacts in the last 30 days (cap {cap}); next possible on {date}",
            len(recent),
            cap=cap,
            date=reopens.isoformat(),
        ),
    )


def too_recent(account: Account, stage: Stage, today: date) -> NoAction | None:
    """Stops the reminder until the stage's wait, in business days, since the last contact."""
    if not account.contacts:
        return None
    last = account.contacts[-1]
    waited = business_days_between(last.day, today, account.country)
    if waited >= stage.min_business_days_since_contact:
        return None
    return NoAction(
        Reason.TOO_RECENT,
        phrase_n(
            "last contacted on {date}, {count} business day ago; “{stage}” waits {wait}",
            "last contacted on {date}, {count} business days ago; “{stage}” waits {wait}",
            waited,
            date=last.day.isoformat(),
            stage=stage,
            wait=stage.min_business_days_since_contact,
        ),
    )


def _suggestion(
    account: Account,
    policy: Policy,
    now: datetime,
    stage: Stage,
    chaseable: tuple[OpenItem, ...],
    episode: list[PastContact],
    note: str,
    start: date,
    today: date,
) -> Suggestion:
    """The reminder past every rule: a pre-due stage carries every invoice; a later one charges
    those due now and mentions those coming due apart (as the page does: domain/due_now.py)."""
    send_after = next_business_opening(
        now, account.timezone, account.country, policy.business_hours
    )
    coming: tuple[OpenItem, ...]
    if stage.pre_due:
        carried, coming = chaseable, ()
    else:
        split = due_now(chaseable, policy.promise_grace_days, today)
        carried, coming = split.due, split.coming_due
    currencies = {i.currency for i in carried}
    return Suggestion(
        stage,
        carried,
        days_overdue(chaseable[0].due_date, today),
        send_after.astimezone(UTC),
        account.contacts[-1].wording if account.contacts else "",
        coming,
        note,
        tuple(c for c in account.credits if c.currency in currencies),
        account.last_answer is not None and account.last_answer >= start,
        0 if stage.pre_due else 1 + reminders_sent(policy, episode),
    )


def _nothing_due_detail(account: Account, policy: Policy, today: date) -> Phrase:
    upcoming = [i.due_date for i in account.invoices if i.balance_minor > 0]
    if not upcoming:
        return phrase("no open invoice")
    first = min(upcoming) + timedelta(days=policy.earliest_opening)
    return phrase(
        "no invoice due yet; the first reminder could go on {date}", date=first.isoformat()
    )
