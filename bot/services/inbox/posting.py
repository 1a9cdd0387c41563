"""Inbound messages on their way to Slack: claimed by one poster at a time (a lease), marked posted
with their message's place, released to be tried again; and the view a card shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import unit_of_work
from bot.domain.inbound import Kind
from bot.models import Customer, InboundMessage, utcnow
from bot.rendering.staff_text import Phrase
from bot.services.common.queries import get, id_of
from bot.services.inbox.threads import ConversationTarget, conversation_target

POST_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class InboundView:
    """One recorded message as Slack shows it."""

    id: int
    kind: Kind
    sender: str
    sender_name: str
    subject: str
    text: str
    attachments: tuple[tuple[str, int], ...]
    customer_id: int | None
    customer_ref: str  # the customer's id in the ledger, for the buttons
    customer_name: str
    matched_by: str
    consequence: Phrase
    reason: str
    target: ConversationTarget | None
    awaiting_confirmation: bool = False  # a stranger's claim: its Confirm button applies it


def claim_unposted(
    engine: Engine, worker_now: datetime, digest_channel: str, limit: int = 50
) -> list[InboundView]:
    """Messages not yet in Slack, each claimed for a while so two instances do not both post
    it; a claim that ran out (a crash mid-post) is taken again."""
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(InboundMessage)
            .where(
                col(InboundMessage.slack_ts) == "",
                sa.or_(
                    col(InboundMessage.post_claimed_until).is_(None),
                    col(InboundMessage.post_claimed_until) < worker_now,
                ),
            )
            .order_by(col(InboundMessage.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        views = []
        for row in rows:
            row.post_claimed_until = worker_now + POST_LEASE
            customer = session.get(Customer, row.customer_id) if row.customer_id else None
            target = (
                conversation_target(session, id_of(customer), digest_channel=digest_channel)
                if customer is not None
                else (ConversationTarget(digest_channel, None) if digest_channel else None)
            )
            summary = json.loads(row.summary)
            views.append(
                InboundView(
                    id=id_of(row),
                    kind=row.kind,
                    sender=row.sender,
                    sender_name=summary.get("sender_name", ""),
                    subject=row.subject,
                    text=summary.get("text", ""),
                    attachments=tuple(tuple(a) for a in summary.get("attachments", [])),
                    customer_id=row.customer_id,
                    customer_ref=customer.external_id if customer else "",
                    customer_name=customer.name if customer else "",
                    matched_by=row.matched_by,
                    consequence=Phrase.read(summary.get("consequence")),
                    reason=row.reason,
                    target=target,
                    awaiting_confirmation=row.awaiting_confirmation,
                )
            )
        return views


def mark_posted(engine: Engine, inbound_id: int, channel: str, ts: str) -> None:
    with unit_of_work(engine) as session:
        row = get(session, InboundMessage, inbound_id)
        row.slack_channel, row.slack_ts, row.post_claimed_until = channel, ts, None


def release(engine: Engine, inbound_id: int) -> None:
    """A post that failed: tried again on the next round."""
    with unit_of_work(engine) as session:
        row = get(session, InboundMessage, inbound_id)
        row.post_claimed_until = utcnow()
