"""Where a suggestion goes: whose worklist, and whether the policy approves it by itself later.

Pure: the suggestion, the customer's named owner and the policy in, a routing out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.calendar import at_local_time, local_now
from bot.domain.escalation import Suggestion, owed
from bot.domain.owners import owner_for
from bot.domain.policy import Channel, Policy

#: The least time between a suggestion and its approval by the policy: someone must be able
#: to stop it (a suggestion made after its stage's hour goes this much later).
LEAST_HOLD = timedelta(hours=1)


@dataclass(frozen=True)
class Routing:
    owner: str  # '' when nobody owns the customer: the digest's thread has it
    auto_at: datetime | None  # aware UTC; None when a person must decide
    auto_rule: str  # the policy rule that approves it then, for the audit trail

    def columns(self) -> dict[str, object]:
        return {"owner": self.owner, "auto_at": self.auto_at, "auto_rule": self.auto_rule}


def channel_stages(*policies: Policy) -> frozenset[str]:
    """The stages (of the main policy and its segments') whose cards go to the digest's thread
    even when someone owns the customer."""
    return frozenset(s.name for p in policies for s in p.stages if s.in_channel)


def one_by_one(*policies: Policy) -> frozenset[str]:
    """Stages (of the main policy and its segments') never approved in bulk: final notices
    (statutory rights or a letter) are read one at a time."""
    return frozenset(
        s.name for p in policies for s in p.stages if s.late_payment_rights or s.letter
    )


def by_phone(*policies: Policy) -> frozenset[str]:
    """Stages whose reminder is a call: made and logged by a person, never approved in bulk."""
    return frozenset(s.name for p in policies for s in p.stages if s.channel is Channel.PHONE)


def stage_titles(*policies: Policy, language: str = "en") -> dict[str, str]:
    """What staff read for each stage key: its label ("Friendly reminder") in `language`, the
    first policy's (the main one) when segments name a stage alike."""
    return {s.name: s.title_in(language) for p in reversed(policies) for s in p.stages}


def route(
    suggestion: Suggestion,
    named_owner: str,
    country: str,
    timezone: str,
    policy: Policy,
    now: datetime,
) -> Routing:
    balances = owed(suggestion.invoices)
    owner = owner_for(named_owner, policy.owners, country, balances)
    auto = suggestion.stage.auto_approve
    if auto is None or suggestion.stage.never_automatic or not auto.applies(balances):
        return Routing(owner, None, "")
    local_day = local_now(now, timezone).date()
    at = max(at_local_time(local_day, auto.at, timezone), now + LEAST_HOLD, suggestion.send_after)
    return Routing(owner, at.astimezone(now.tzinfo), auto.rule(suggestion.stage.name))
