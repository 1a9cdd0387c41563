"""Segments: more than one escalation policy (key accounts, public sector with longer terms…),
chosen per customer by the segment named on it (an import column), else by the first rule that
matches (country, currency, amount band), else the main policy. Pure data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from bot.domain.owners import Match
from bot.domain.policy import Policy

MAIN = ""  # the segment of customers who name none and match no rule: the main policy


@dataclass(frozen=True)
class SegmentRule:
    segment: str
    match: Match


@dataclass(frozen=True)
class Segments:
    policies: Mapping[str, Policy] = field(default_factory=dict)
    rules: tuple[SegmentRule, ...] = ()

    def __post_init__(self) -> None:
        unknown = sorted({r.segment for r in self.rules} - set(self.policies))
        if unknown:
            raise ValueError(f"segment rules name segments with no policy: {', '.join(unknown)}")

    def choose(self, named: str, country: str, balances: Mapping[str, Decimal]) -> str:
        """The customer's segment: the one it names, else the first matching rule's, else MAIN."""
        if named:
            return named
        return next((r.segment for r in self.rules if r.match.matches(country, balances)), MAIN)

    def policy(self, segment: str, main: Policy) -> Policy | None:
        """The segment's policy (`main` for MAIN); None for a segment the policy does not know."""
        return main if segment == MAIN else self.policies.get(segment)
