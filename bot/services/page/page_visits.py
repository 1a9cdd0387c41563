"""What a stranger's requests to a page link may write: little, and through the database.

A link is a credential anyone holding it can replay, so neither views nor posts cost more than
one conditional update of the link's row: at most one view event (and one prefetch event) an
hour per link, however many GETs arrive, and posts counted per minute in the row itself, so
the limit holds across every process and instance (a per-process counter allowed 20 × the
workers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import unit_of_work
from bot.domain.page_visits import ONE_EVENT_PER, looks_prefetched
from bot.models import Outbox, PageLink, Reminder
from bot.services import audit
from bot.services.page.page_links import LinkHolder

ACTOR = "customer-page"
POSTS_PER_MINUTE = 20
MAX_AGENT = 200


@dataclass(frozen=True)
class Visit:
    """A GET of the page as the server saw it."""

    client: str  # the client's address
    user_agent: str
    returning: bool  # it carried the cookie the page sets


def record_visit(engine: Engine, holder: LinkHolder, visit: Visit, now: datetime) -> int | None:
    """Records the first view (or prefetch) of the hour; returns the customer's latest card's
    reminder id when a person's view was recorded, so the card can show it ("seen 2 h ago")."""
    with unit_of_work(engine) as session:
        sent = session.exec(
            select(sa.func.max(Outbox.sent_at))
            .join(Reminder, col(Reminder.id) == Outbox.reminder_id)
            .where(col(Reminder.customer_id) == holder.customer_id)
        ).one()
        since_sent = now - sent if sent is not None else None
        prefetch = looks_prefetched(visit.user_agent, visit.returning, since_sent)
        mark = col(PageLink.prefetched_at) if prefetch else col(PageLink.viewed_at)
        claimed = session.exec(
            sa.update(PageLink)
            .where(
                col(PageLink.public_id) == holder.public_id,
                sa.or_(mark.is_(None), mark <= now - ONE_EVENT_PER),
            )
            .values({mark: now})
        )
        if claimed.rowcount != 1:
            return None
        audit.append(
            session,
            audit.NewEvent(
                kind="page_prefetch" if prefetch else "page_view",
                actor=ACTOR,
                customer_id=holder.customer_id,
                channel="page",
                content={
                    "link": holder.public_id,
                    "client": visit.client[:64],
                    "agent": visit.user_agent[:MAX_AGENT],
                },
            ),
        )
        if prefetch:
            return None
        return session.exec(
            select(Reminder.id)
            .where(col(Reminder.customer_id) == holder.customer_id, col(Reminder.slack_ts) != "")
            .order_by(col(Reminder.id).desc())
            .limit(1)
        ).first()


def allow_post(
    engine: Engine, holder: LinkHolder, now: datetime, limit: int = POSTS_PER_MINUTE
) -> bool:
    """True, and the post counted, while the link has had fewer than `limit` posts this
    minute: one conditional update, atomic on both databases."""
    minute = int(now.timestamp() // 60)
    with unit_of_work(engine) as session:
        counted = session.exec(
            sa.update(PageLink)
            .where(
                col(PageLink.public_id) == holder.public_id,
                sa.or_(col(PageLink.rate_minute) != minute, col(PageLink.rate_hits) < limit),
            )
            .values(
                rate_hits=sa.case(
                    (col(PageLink.rate_minute) == minute, col(PageLink.rate_hits) + 1), else_=1
                ),
                rate_minute=minute,
            )
        )
        return bool(counted.rowcount == 1)
