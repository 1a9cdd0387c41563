"""What `/readyz` and `/metrics` read from the database: whether this instance can do its work
(the database answers, its schema is this version's, the outbox moves), and the figures an
operator graphs (the outbox, the last digest, the inbox, bank lines, the audit trail's head).

Read at each scrape from the database every instance shares, so they agree whichever
instance is asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from bot.db import read_only, schema_is_current
from bot.domain.states import BankLineState, OutboxState
from bot.models import AuditEvent, BankLine, DigestRun, InboundMessage, Outbox, OutboxPause

#: A due message still waiting this long after its time: the senders are not sending.
OUTBOX_STALLED_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Figures:
    outbox_pending: int
    outbox_failed: int
    outbox_oldest_due_seconds: float  # the longest a due message has waited (0: none waits)
    last_digest_at: datetime | None
    inbox_unposted: int  # read from the mailbox, not yet in Slack
    inbox_lag_seconds: float  # the oldest of those, since it was read
    audit_events: int
    audit_head_age_seconds: float | None  # since the newest event (None: empty trail)
    bank_lines_applied: int = 0  # bank statement lines whose money is on invoices
    bank_lines_waiting: int = 0  # lines a person still has to decide (suggested or to decide)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reasons: tuple[str, ...]  # why not, one line each


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


def figures(session: Session, now: datetime) -> Figures:
    pending = session.exec(
        select(func.count(), func.min(Outbox.next_attempt_at)).where(
            col(Outbox.state) == OutboxState.PENDING
        )
    ).one()
    due = session.exec(
        select(func.min(Outbox.next_attempt_at)).where(
            col(Outbox.state) == OutboxState.PENDING, col(Outbox.next_attempt_at) <= now
        )
    ).one()
    failed = session.exec(select(func.count()).where(col(Outbox.state) == OutboxState.FAILED)).one()
    digest = session.exec(select(func.max(DigestRun.posted_at))).one()
    inbox = session.exec(
        select(func.count(), func.min(InboundMessage.received_at)).where(
            col(InboundMessage.slack_ts) == ""
        )
    ).one()
    audit = session.exec(select(func.count(), func.max(AuditEvent.occurred_at))).one()
    bank = dict(
        session.exec(select(BankLine.state, func.count()).group_by(col(BankLine.state))).all()
    )
    return Figures(
        outbox_pending=int(pending[0]),
        outbox_failed=int(failed),
        outbox_oldest_due_seconds=_age(now, due),
        last_digest_at=digest,
        inbox_unposted=int(inbox[0]),
        inbox_lag_seconds=_age(now, inbox[1]),
        audit_events=int(audit[0]),
        audit_head_age_seconds=_age(now, audit[1]) if audit[1] is not None else None,
        bank_lines_applied=int(bank.get(BankLineState.APPLIED, 0)),
        bank_lines_waiting=int(
            bank.get(BankLineState.SUGGESTED, 0) + bank.get(BankLineState.TO_DECIDE, 0)
        ),
    )


def readiness(engine: Engine, now: datetime, slack_token_accepted: bool | None) -> Readiness:
    """Ready when the database answers with this version's schema, the outbox is not stalled
    (a due message nobody took for 15 minutes, the mail server's pause aside: the digest says
    that one) and Slack accepted the bot token at start (None: not asked, e.g. Slack out of reach)."""
    reasons: list[str] = []
    try:
        if not schema_is_current(engine):
            return Readiness(
                False, ("the database schema is not this version's: run `relance db upgrade`",)
            )
        with read_only(engine) as session:
            oldest = session.exec(
                select(func.min(Outbox.next_attempt_at)).where(
                    col(Outbox.state) == OutboxState.PENDING, col(Outbox.claimed_by) == ""
                )
            ).one()
            paused = session.exec(
                select(func.count()).where(col(OutboxPause.paused_until) > now)
            ).one()
    except sa.exc.SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).strip().splitlines()
        return Readiness(False, (f"the database cannot be reached: {first[0] if first else exc}",))
    if not paused and oldest is not None and now - oldest > OUTBOX_STALLED_AFTER:
        reasons.append(f"the outbox is stalled: a message due since {oldest.isoformat()}")
    if slack_token_accepted is False:
        reasons.append("Slack refused the bot token at start")
    elif slack_token_accepted is None:
        reasons.append("Slack has not confirmed the bot token since start")
    return Readiness(not reasons, tuple(reasons))
