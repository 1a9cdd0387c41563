"""The escalation ladder: which of the policy's stages a customer's reminder is at, from how
late the oldest invoice is and the contacts of the current episode. Pure, like the decision it
serves (domain/escalation.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.domain.calendar import business_days_between
from bot.domain.msgid import Phrase, phrase, phrase_n
from bot.domain.policy import Channel, Policy, Stage

if TYPE_CHECKING:
    from bot.domain.escalation import PastContact


def reminders_sent(policy: Policy, episode: Sequence[PastContact]) -> int:
    """The reminders that chased in the episode: e-mails and letters, not the courtesy notes
    sent before the due date, nor calls."""
    courtesy = {s.name for s in policy.stages if s.pre_due}
    return sum(1 for c in episode if c.channel == "email" and c.stage not in courtesy)


def first_contact_stage(policy: Policy, days: int) -> Stage | None:
    """The furthest stage whose `first_contact_from_days` this lateness reaches, if any."""
    starts = [
        s
        for s in policy.stages
        if s.first_contact_from_days is not None
        and days >= s.first_contact_from_days
        and s.opens_at_days <= days
    ]
    return starts[-1] if starts else None


def by_phone(policy: Policy, stage: Stage) -> Stage:
    """An e-mail stage when e-mail reaches nobody: the policy's call instead (if it has one)."""
    return next((s for s in policy.stages if s.channel is Channel.PHONE), stage)


def next_stage(
    policy: Policy, days: int, episode: Sequence[PastContact], country: str, today: date
) -> Stage | Phrase:
    """The first stage not yet sent up to the one the oldest invoice's lateness opens; a pre-due
    stage only while nothing is past due.

    Or, when none is due, why the ladder waits (a phrase, worded for the card's reader).

    Stages below the furthest one sent in the episode are passed: the team (or the history
    imported at go-live, or a first contact started higher) already went beyond them."""
    reached = [s for s in policy.stages if s.opens_at_days <= days and (days <= 0 or not s.pre_due)]
    if not reached:
        passed = _Stages(tuple(s for s in policy.stages if s.pre_due))
        first = next(s for s in policy.stages if not s.pre_due)
        return phrase(
            "“{passed}” is for invoices coming due; {opens}",
            passed=passed,
            opens=_opens(first, first.opens_at_days - days),
        )
    target = reached[-1]
    sent = {c.stage for c in episode}
    order = {s.name: index for index, s in enumerate(policy.stages)}
    furthest = max((order[c.stage] for c in episode if c.stage in order), default=-1)
    for stage in reached:
        if order[stage.name] <= furthest:
            continue
        if stage.name not in sent and (not stage.optional or stage is target):
            return stage
    last_of_target = [c for c in episode if c.stage == target.name]
    if target.repeat_after_business_days is not None and last_of_target:
        since = business_days_between(last_of_target[-1].day, today, country)
        if since >= target.repeat_after_business_days:
            return target
    later = [s for s in policy.stages if s.opens_at_days > days]
    done = (
        phrase("“{stage}” was already sent", stage=target)
        if target.name in sent
        else phrase("the optional “{stage}” was passed", stage=target)
    )
    if later:
        opens = _opens(later[0], later[0].opens_at_days - days)
        return phrase("{done}; {opens}", done=done, opens=opens)
    return phrase("{done}; it is the last stage", done=done)


def _opens(stage: Stage, wait: int) -> Phrase:
    return phrase_n(
        "“{stage}” opens at {days} days overdue (in {count} day)",
        "“{stage}” opens at {days} days overdue (in {count} days)",
        wait,
        stage=stage,
        days=stage.opens_at_days,
    )


@dataclass(frozen=True)
class _Stages:
    """Stages named together in a phrase, each by its title in the reader's language."""

    stages: tuple[Stage, ...]

    def title_in(self, language: str) -> str:
        return ", ".join(s.title_in(language) for s in self.stages)
