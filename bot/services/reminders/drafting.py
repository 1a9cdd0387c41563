"""Writing a suggested reminder's texts when someone first needs them.

The morning only decides (see `suggestions.suggest`): writing every suggestion's e-mail, HTML
and letter cost five times the deciding, for texts most of which nobody opens before they are
approved in bulk or by the policy. Here a reminder's texts are written the first time it is
shown, edited or approved: its customer's account is read again and decided again at the
instant of the morning (`Reminder.created_at`), so the words are those the morning would have
written — unless the facts changed since. A reminder whose stage no longer holds (paid,
disputed, promised, contacted since) is not worded into something stale: it expires, with the
reason, in the audit trail and on its card. So does one whose texts cannot be written.

Two people opening the same reminder at once both write it; the conditional update keeps the
first, and both wrote the same words.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import read_only, unit_of_work
from bot.domain.calendar import local_today
from bot.domain.escalation import Suggestion
from bot.domain.money import Money
from bot.domain.msgid import Phrase, phrase
from bot.domain.policy import Policy
from bot.domain.segments import Segments
from bot.domain.states import ReminderState
from bot.models import Customer, Invoice, Reminder
from bot.services.common.lookup import open_invoices
from bot.services.common.queries import get, listed
from bot.services.reminders.compose import Composer, Draft
from bot.services.reminders.overtaken import expire, no_longer_holds
from bot.services.reminders.suggestions import cause_of, decide_for, load_accounts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drafter:
    """What writing a reminder needs: the policies that decided it and the composer."""

    engine: Engine
    composer: Composer
    policy: Policy
    segments: Segments | None = None

    def policy_of(self, segment: str) -> Policy:
        """The policy that decides for `segment`'s customers (the main one by default)."""
        return self.segments.policy_or_main(segment, self.policy) if self.segments else self.policy


@dataclass(frozen=True)
class _Pending:
    id: int
    customer_id: int
    stage: str
    suggested_at: datetime


def write_pending(drafter: Drafter, reminder_ids: Collection[int]) -> None:
    """Write the texts of those of `reminder_ids` still awaiting them; expire the ones whose
    suggestion no longer holds. A no-op (one small query) when all are written."""
    if not reminder_ids:
        return
    with read_only(drafter.engine) as session:
        pending = [
            _Pending(*row)
            for row in session.exec(
                select(Reminder.id, Reminder.customer_id, Reminder.stage, Reminder.created_at)
                .where(
                    col(Reminder.id).in_(sorted(reminder_ids)),
                    col(Reminder.drafted).is_(False),
                    col(Reminder.state) == ReminderState.SUGGESTED,
                )
                .order_by(col(Reminder.id))
            ).all()
        ]
        if not pending:
            return
        thanks = _thanks(session, drafter.composer, [p for p in pending if p.stage == "thanks"])
        pending = [p for p in pending if p.stage != "thanks"]
        accounts = {
            customer.id: (customer, account)
            for customer, account in load_accounts(session, {p.customer_id for p in pending})
        }
    written, lapsed = thanks
    for item in pending:
        if item.customer_id not in accounts:
            lapsed[item.id] = no_longer_holds(phrase("nothing is owed any more"))
            continue
        customer, account = accounts[item.customer_id]
        decision = decide_for(
            customer, account, drafter.policy, item.suggested_at, drafter.segments
        )
        decided = decision.decision
        if not isinstance(decided, Suggestion):
            lapsed[item.id] = no_longer_holds(decided.detail)
        elif decided.stage.name != item.stage:
            lapsed[item.id] = no_longer_holds(phrase("{stage} is due instead", stage=decided.stage))
        else:
            try:
                today = local_today(item.suggested_at, customer.timezone)
                written[item.id] = drafter.composer.draft(
                    customer, decided, today, drafter.policy_of(decision.segment).discount_days
                )
            except Exception as exc:  # this reminder's failure, not its neighbours'
                log.warning("reminder %s not written", item.id, exc_info=exc)
                lapsed[item.id] = phrase(
                    "its texts could not be written: {cause}", cause=cause_of(exc)
                )
    _store(drafter.engine, written, lapsed)


def _thanks(
    session: Session, composer: Composer, pending: list[_Pending]
) -> tuple[dict[int, Draft], dict[int, Phrase]]:
    """Thank-you notes (services/payments.py), written from the invoices they thank for and
    what the customer still owes now; one whose invoice is open again (the bank reversed the
    payment) no longer holds."""
    written: dict[int, Draft] = {}
    lapsed: dict[int, Phrase] = {}
    if not pending:
        return written, lapsed
    lists = listed(session.connection(), [p.id for p in pending])
    for item in pending:
        numbers = lists.get(item.id, ())
        invoices = session.exec(select(Invoice).where(col(Invoice.number).in_(numbers))).all()
        reopened = sorted(i.number for i in invoices if i.balance > 0)
        if reopened:
            lapsed[item.id] = no_longer_holds(
                phrase("{numbers} is open again", numbers=", ".join(reopened))
            )
            continue
        written[item.id] = composer.thanks(
            get(session, Customer, item.customer_id),
            [(i.number, Money.of_minor(i.amount_minor, i.currency)) for i in invoices],
            [  # what remains open, so the note never reads as "all settled" when it is not
                (i.number, Money.of_minor(i.amount_minor - i.paid_minor, i.currency), i.due_date)
                for i in open_invoices(session, item.customer_id)
            ],
        )
    return written, lapsed


def _store(engine: Engine, written: dict[int, Draft], lapsed: dict[int, Phrase]) -> None:
    undrafted = col(Reminder.drafted).is_(False)
    with unit_of_work(engine) as session:
        for reminder_id, draft in written.items():
            session.exec(
                sa.update(Reminder)
                .where(col(Reminder.id) == reminder_id, undrafted)
                .values(
                    language=draft.language,
                    wording=draft.wording,
                    subject=draft.subject,
                    body_text=draft.text,
                    body_html=draft.html,
                    letter_text=draft.letter,
                    warnings="\n".join(draft.warnings),
                    drafted=True,
                )
            )
        expire(session, lapsed, "relance", undrafted)
