"""Where news about a customer is posted in Slack, so the people who chase them see it beside
what was already said: in the thread of the customer's latest card, else by direct message to
the customer's owner (their worklist is in the App Home), else in the digest channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.models import Customer, DigestRun, Reminder


@dataclass(frozen=True)
class ConversationTarget:
    channel: str
    thread_ts: str | None  # None: a message of its own in `channel`


def conversation_target(
    session: Session, customer_id: int, *, digest_channel: str = ""
) -> ConversationTarget | None:
    """The thread of the customer's latest card; else the owner's direct messages; else the
    digest channel: `digest_channel` when the caller knows it (the settings in force), else the
    channel of the latest digest. None when there is nowhere to post."""
    card = session.exec(
        select(col(Reminder.slack_channel), col(Reminder.slack_ts))
        .where(col(Reminder.customer_id) == customer_id, col(Reminder.slack_ts) != "")
        .order_by(col(Reminder.created_at).desc(), col(Reminder.id).desc())
        .limit(1)
    ).first()
    if card is not None:
        return ConversationTarget(channel=card[0], thread_ts=card[1])
    owner = session.exec(select(Customer.owner).where(col(Customer.id) == customer_id)).first()
    if owner:
        return ConversationTarget(channel=owner, thread_ts=None)
    if digest_channel:
        return ConversationTarget(channel=digest_channel, thread_ts=None)
    latest_digest = session.exec(
        select(col(DigestRun.channel))
        .order_by(col(DigestRun.run_date).desc(), col(DigestRun.id).desc())
        .limit(1)
    ).first()
    return ConversationTarget(channel=latest_digest, thread_ts=None) if latest_digest else None
