"""What overtakes a reminder after it was decided: a fact recorded about its customer that
takes invoices it chases off the ladder. The door that records the fact stops at once what it
overtakes (services/overtaken.py); the sender asks again, by the same rules as the morning's
`escalation.decide`, just before an approved e-mail leaves, so nothing stale goes out.

A reminder is overtaken by a fact on any invoice it chases, not only on all of them: a
reminder naming a disputed invoice would say what no longer holds.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from bot.domain.calendar import local_now
from bot.domain.escalation import Account, held_back
from bot.domain.msgid import Phrase, phrase
from bot.domain.policy import Policy
from bot.domain.promises import grace_over

WHOLE_ACCOUNT = None  # what a hold on the customer overtakes: every invoice


def chases_any(chased: Collection[str], numbers: Collection[str] | None) -> bool:
    """Whether a reminder chasing `chased` is overtaken by a fact on `numbers`."""
    return numbers is WHOLE_ACCOUNT or not set(numbers).isdisjoint(chased)


def disputed_fact(numbers: Collection[str]) -> Phrase:
    """What a dispute on these invoices overtakes a reminder with."""
    return phrase("{numbers} disputed by the customer", numbers=", ".join(numbers))


def promised_fact(until: date) -> Phrase:
    """What a promise to pay by `until` overtakes a reminder with."""
    return phrase("the customer promised to pay by {date}", date=until.isoformat())


def why_overtaken(
    account: Account | None, chased: Collection[str], policy: Policy, now: datetime
) -> Phrase | None:
    """Why a reminder chasing `chased` must not reach this customer at `now`, or None while it
    still holds. `account`: the customer as the morning sees it (None: they owe nothing);
    `policy`: the one governing them (its promise grace).

    Overtaken when nothing it chases is owed any more, when the customer is paused or held
    (`escalation.held_back`), when an invoice it chases is disputed, or promised (or on a
    plan) and its date and grace have not passed."""
    if not chased:  # chases nothing: not for these rules
        return None
    owed = {i.number: i for i in account.invoices if i.balance_minor > 0} if account else {}
    open_chased = [owed[number] for number in chased if number in owed]
    if account is None or not open_chased:
        return phrase("nothing it chases is owed any more")
    today = local_now(now, account.timezone).date()
    held = held_back(account, today)
    if held is not None:
        return held.detail
    disputed = [i.number for i in open_chased if i.disputed]
    if disputed:
        return disputed_fact(disputed)
    promised = [
        i.promised_until
        for i in open_chased
        if i.promised_until is not None
        and not grace_over(i.promised_until, policy.promise_grace_days, today)
    ]
    if promised:
        return promised_fact(max(promised))
    return None
