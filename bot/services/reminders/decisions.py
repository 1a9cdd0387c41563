"""Deciding on a suggested reminder: approve, edit-and-approve, skip — exactly once.

Each decision is a conditional update (`… WHERE state = 'suggested'`): of two people who click
at the same moment one wins, the other is told who did. An approved e-mail gets its outbox row
in the same transaction, so an approval is never without its delivery, nor the reverse.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only, unit_of_work
from bot.domain.calendar import local_today
from bot.domain.holds import hold_after_skip
from bot.domain.states import ReminderState, move
from bot.models import Customer, Outbox, Reminder, utcnow
from bot.services import audit
from bot.services.common.customer_policy import Policies
from bot.services.common.queries import get, id_of, in_sources, stored_id, stored_ids
from bot.services.reminders import drafting
from bot.services.reminders.drafting import Drafter
from bot.services.reminders.editing import EditedText, LetterChoice, rewritten_letter
from bot.services.reminders.holds import put_on_hold

#: What the sender delivers. A `letter` stage is a task like a call: staff post the PDF
#: (the card's *Letter* button), nothing is e-mailed in its place.
SENDABLE_CHANNELS = frozenset({"email"})


@dataclass(frozen=True)
class DecidedReminder:
    """Where a reminder stands after a decision, as the person who clicked is told."""

    id: int
    state: ReminderState
    decided_by: str
    slack_channel: str
    slack_ts: str  # "" when it has no card (decided from a worklist)
    has_letter: bool  # a final notice's PDF letter goes with it

    @classmethod
    def of(cls, reminder: Reminder) -> DecidedReminder:
        assert reminder.id is not None
        return cls(
            reminder.id,
            reminder.state,
            reminder.decided_by,
            reminder.slack_channel,
            reminder.slack_ts,
            bool(reminder.letter_text),
        )


@dataclass(frozen=True)
class Decided:
    """The outcome of one click: `won` is False when someone else had already decided."""

    won: bool
    reminder: DecidedReminder


def _claim(
    session: Session, reminder_id: int, target: ReminderState | None, values: dict[str, Any]
) -> Reminder | None:
    """Decide on a reminder only if it still awaits a decision (`target` None: change it but
    leave it awaiting one, as an edit saved without approving)."""
    query = sa.update(Reminder).where(col(Reminder.id) == reminder_id).values(**values)
    if target is not ReminderState.SKIPPED:  # only texts someone could have read are sent
        query = query.where(col(Reminder.drafted))
    if target is None:
        query = query.where(col(Reminder.state) == ReminderState.SUGGESTED)
    else:
        moving = move(target, only_from=ReminderState.SUGGESTED)
        query = query.where(in_sources(Reminder.state, moving)).values(state=moving.target)
    result = session.exec(query)
    reminder = session.get(Reminder, reminder_id, populate_existing=True)
    return reminder if result.rowcount == 1 else None


def _after_approval(
    session: Session,
    reminder: Reminder,
    user: str,
    kind: str,
    content: dict[str, Any],
    now: datetime,
) -> None:
    if reminder.channel in SENDABLE_CHANNELS:
        # not before the customer's business hours (the suggestion knows when they open)
        due = max(filter(None, [now, reminder.send_after]))
        session.add(
            Outbox(reminder_id=id_of(reminder), channel=reminder.channel, next_attempt_at=due)
        )
    _record(session, reminder, user, kind, content)


def _record(
    session: Session, reminder: Reminder, user: str, kind: str, content: dict[str, Any]
) -> None:
    audit.append(
        session, audit.NewEvent.about(reminder, kind, user, stage=reminder.stage, **content)
    )


def _lost(session: Session, reminder_id: int) -> Decided:
    reminder = session.get(Reminder, reminder_id, populate_existing=True)
    if reminder is None:
        raise LookupError(f"no reminder {reminder_id}")
    return Decided(False, DecidedReminder.of(reminder))


def approve(drafter: Drafter, reminder_id: int, user: str, now: datetime | None = None) -> Decided:
    now = now or utcnow()
    drafting.write_pending(drafter, [reminder_id])
    with unit_of_work(drafter.engine) as session:
        reminder = _claim(
            session,
            reminder_id,
            ReminderState.APPROVED,
            {"decided_by": user, "decided_at": now},
        )
        if reminder is None:
            return _lost(session, reminder_id)
        _after_approval(session, reminder, user, "approved", {"subject": reminder.subject}, now)
        return Decided(True, DecidedReminder.of(reminder))


def save_edit(
    engine: Engine,
    reminder_id: int,
    user: str,
    edited: EditedText,
    approve: bool,
    letter: LetterChoice = LetterChoice.KEEP,
    now: datetime | None = None,
) -> Decided:
    """Save staff's version exactly as written (the first original is kept beside it), and
    approve it or leave it awaiting a decision. A final notice's letter is rewritten from the
    edited text or kept as it was; the audit trail says which."""
    now = now or utcnow()
    with unit_of_work(engine) as session:
        before = session.get(Reminder, reminder_id)
        if before is None:
            raise LookupError(f"no reminder {reminder_id}")
        original = {"subject": before.subject, "text": before.body_text}
        first_edit = not (before.original_subject or before.original_body_text)
        values: dict[str, Any] = {
            "subject": edited.subject,
            "body_text": edited.text,
            "body_html": edited.html,
            **(
                {"original_subject": before.subject, "original_body_text": before.body_text}
                if first_edit
                else {}
            ),
            **({"decided_by": user, "decided_at": now} if approve else {}),
        }
        content: dict[str, Any] = {
            "before": original,
            "after": {"subject": edited.subject, "text": edited.text},
            "approved": approve,
        }
        if before.letter_text:
            if letter is LetterChoice.REWRITE:
                values["letter_text"] = rewritten_letter(before.letter_text, edited)
            content["letter"] = letter.audit_text
        reminder = _claim(session, reminder_id, ReminderState.APPROVED if approve else None, values)
        if reminder is None:
            return _lost(session, reminder_id)
        if approve:
            _after_approval(session, reminder, user, "edited", content, now)
        else:
            _record(session, reminder, user, "edited", content)
        return Decided(True, DecidedReminder.of(reminder))


def skip(
    engine: Engine,
    reminder_id: int,
    user: str,
    reason: str,
    policies: Policies,
    now: datetime | None = None,
    reason_key: str = "",
) -> Decided:
    """Skip a reminder. A reason with consequences (`bot.domain.holds`) also holds its
    customer: "says paid" for the days of the policy governing it, "wrong contact" until the
    address changes."""
    now = now or utcnow()
    with unit_of_work(engine) as session:
        reminder = _claim(
            session,
            reminder_id,
            ReminderState.SKIPPED,
            {"decided_by": user, "decided_at": now, "skip_reason": reason},
        )
        if reminder is None:
            return _lost(session, reminder_id)
        content: dict[str, Any] = {"reason": reason}
        customer = get(session, Customer, reminder.customer_id)
        said_paid_days = policies.of_customer(session, id_of(customer)).said_paid_hold_days
        hold = hold_after_skip(reason_key, local_today(now, customer.timezone), said_paid_days)
        if hold is not None:
            put_on_hold(customer, hold)
            content["hold"] = str(hold.detail)
        _record(session, reminder, user, "skipped", content)
        return Decided(True, DecidedReminder.of(reminder))


def approve_stage(
    drafter: Drafter, run_date: date, stage: str, user: str, now: datetime | None = None
) -> list[DecidedReminder]:
    """*Approve all* for one stage of one day: each reminder still undecided is approved, with
    the same exactly-once rule as a single click — except those whose customer's address has
    bounced since (`bounced_in_stage` names them): an e-mail would reach nobody."""
    now = now or utcnow()
    with read_only(drafter.engine) as session:
        ids = session.exec(
            select(col(Reminder.id))
            .join(Customer, col(Customer.id) == col(Reminder.customer_id))
            .where(
                col(Reminder.run_date) == run_date,
                col(Reminder.stage) == stage,
                col(Reminder.state) == ReminderState.SUGGESTED,
                col(Customer.email_problem) == "",
            )
            .order_by(col(Reminder.id))
        ).all()
    return approve_selected(drafter, stored_ids(ids), user, now)


def bounced_in_stage(engine: Engine, run_date: date, stage: str) -> list[tuple[str, str]]:
    """(customer, what bounced) for each undecided reminder of the stage that *Approve all*
    leaves out because the customer's address failed."""
    with read_only(engine) as session:
        rows = session.execute(
            sa.select(col(Customer.name), col(Customer.email_problem))
            .join(Reminder, col(Reminder.customer_id) == col(Customer.id))
            .where(
                col(Reminder.run_date) == run_date,
                col(Reminder.stage) == stage,
                col(Reminder.state) == ReminderState.SUGGESTED,
                col(Customer.email_problem) != "",
            )
            .order_by(col(Customer.name))
        ).all()
    return [(name, problem) for name, problem in rows]


def approve_selected(
    drafter: Drafter,
    reminder_ids: list[int],
    user: str,
    now: datetime | None = None,
    one_by_one: Collection[str] = (),
) -> list[DecidedReminder]:
    """*Approve the selected* on a worklist: each one still undecided is approved once, in one
    transaction; those someone else decided first are left as they are. Reminders of the
    `one_by_one` stages (final notices) are approved only on their own, never in a batch."""
    now = now or utcnow()
    if len(set(reminder_ids)) > 1 and one_by_one:
        with read_only(drafter.engine) as session:
            kept = session.exec(
                select(col(Reminder.id)).where(
                    col(Reminder.id).in_(reminder_ids), col(Reminder.stage).not_in(one_by_one)
                )
            ).all()
        reminder_ids = stored_ids(kept)
    drafting.write_pending(drafter, reminder_ids)
    with unit_of_work(drafter.engine) as session:
        return _approve_each(session, sorted(set(reminder_ids)), user, now)


def _approve_each(
    session: Session, reminder_ids: list[int], user: str, now: datetime
) -> list[DecidedReminder]:
    approved = []
    for reminder_id in reminder_ids:
        reminder = _claim(
            session, reminder_id, ReminderState.APPROVED, {"decided_by": user, "decided_at": now}
        )
        if reminder is not None:
            _after_approval(
                session,
                reminder,
                user,
                "approved",
                {"subject": reminder.subject, "bulk": True},
                now,
            )
            approved.append(DecidedReminder.of(reminder))
    return approved


POLICY = "policy"  # the actor of an approval made by the policy's auto-approval rule


def approve_by_policy(drafter: Drafter, now: datetime | None = None) -> list[int]:
    """Approve the suggestions whose hold window has passed (`auto_at <= now`) and that nobody
    skipped or edited first. The same conditional update as a click, with the time in it: of
    several instances running this at once, one approves each reminder; the audit event's actor
    is `policy`, and it names the rule."""
    now = now or utcnow()
    approved = []
    ripe = (
        col(Reminder.state) == ReminderState.SUGGESTED,
        col(Reminder.auto_at).is_not(None),
        col(Reminder.auto_at) <= now,
    )
    with read_only(drafter.engine) as session:
        ripe_ids = [i for i in session.exec(select(Reminder.id).where(*ripe)) if i is not None]
    drafting.write_pending(drafter, ripe_ids)
    with unit_of_work(drafter.engine) as session:
        due = session.exec(
            select(col(Reminder.id), col(Reminder.auto_rule))
            .where(*ripe)
            .order_by(col(Reminder.id))
        ).all()
        for reminder_id, rule in due:
            reminder = _claim(
                session,
                stored_id(reminder_id),
                ReminderState.APPROVED,
                {"decided_by": POLICY, "decided_at": now},
            )
            if reminder is not None:
                _after_approval(
                    session,
                    reminder,
                    POLICY,
                    "approved",
                    {"subject": reminder.subject, "rule": rule},
                    now,
                )
                approved.append(DecidedReminder.of(reminder).id)
    return approved


def pending_stages(engine: Engine, run_date: date) -> dict[str, int]:
    """How many reminders of each stage still await a decision today."""
    with read_only(engine) as session:
        rows = session.execute(
            sa.select(col(Reminder.stage), sa.func.count())
            .where(
                col(Reminder.run_date) == run_date, col(Reminder.state) == ReminderState.SUGGESTED
            )
            .group_by(col(Reminder.stage))
        ).all()
    return dict(rows)
