"""Segments: more than one escalation policy (key accounts, public sector with longer terms…),
chosen per customer by the segment named on it (an import column), else by the first rule that
matches (country, currency, amount band), else the main policy.

A segment's policy file sets only what differs: everything it leaves out (its stages, grace,
limits, plan limits, discount, owners rules, business hours) is the main policy's, as it is in
force — a lead's change to the main policy reaches the segments that do not set their own.
Pure data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.domain.owners import Match
from bot.domain.policy import Policy

MAIN = ""  # the segment of customers who name none and match no rule: the main policy


@dataclass(frozen=True)
class SegmentRule:
    segment: str
    match: Match


@dataclass(frozen=True)
class Segments:
    policies: Mapping[str, Policy] = field(default_factory=dict)  # as loaded, over the file's
    rules: tuple[SegmentRule, ...] = ()
    #: each segment's own settings (its file's content), laid over the main policy in force
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    _derived: dict[str, tuple[Policy, Policy]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        unknown = sorted({r.segment for r in self.rules} - set(self.policies))
        if unknown:
            raise ValueError(f"segment rules name segments with no policy: {', '.join(unknown)}")

    @classmethod
    def over(
        cls, main: Policy, sources: Mapping[str, Mapping[str, Any]], rules: tuple[SegmentRule, ...]
    ) -> Segments:
        """Segments whose policies are `sources` laid over `main` (checked now: a PolicyError
        names what is wrong before anything runs)."""
        policies = {name: Policy.from_dict(data, main) for name, data in sources.items()}
        return cls(policies, rules, sources)

    def choose(self, named: str, country: str, balances: Mapping[str, Decimal]) -> str:
        """The customer's segment: the one it names, else the first matching rule's, else MAIN."""
        if named:
            return named
        return next((r.segment for r in self.rules if r.match.matches(country, balances)), MAIN)

    def deciding(
        self, named: str, country: str, balances: Mapping[str, Decimal], main: Policy
    ) -> tuple[str, Policy | None]:
        """The customer's segment and the policy that decides for it over `main` (None for a
        segment the policy does not know): the one choice the morning and every other use
        of a customer's settings make alike."""
        segment = self.choose(named, country, balances)
        return segment, self.policy(segment, main)

    def policy(self, segment: str, main: Policy) -> Policy | None:
        """The segment's policy over `main` (`main` itself for MAIN); None for a segment the
        policy does not know."""
        if segment == MAIN:
            return main
        if segment not in self.sources:
            return self.policies.get(segment)
        cached = self._derived.get(segment)
        if cached is None or cached[0] is not main:  # derived once per main policy in force
            cached = (main, Policy.from_dict(self.sources[segment], main))
            self._derived[segment] = cached
        return cached[1]

    def policy_or_main(self, segment: str, main: Policy) -> Policy:
        """The segment's policy, or `main` for a segment it does not know."""
        return self.policy(segment, main) or main
