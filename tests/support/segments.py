"""A segment on a running app, as a `[[segments]]` entry of its policy file would set it."""

from __future__ import annotations

from typing import Any

from bot.domain.owners import Match
from bot.domain.segments import SegmentRule, Segments
from bot.services.common.context import Runtime


def key_accounts(runtime: Runtime, country: str, **tables: Any) -> None:
    """The customers of `country` follow a "keys" segment whose policy file holds `tables`
    (`limits={...}`, `plans={...}`) over the main policy."""
    rule = SegmentRule("keys", Match(country=country))
    runtime.segments = Segments.over(runtime.policy, {"keys": tables}, (rule,))
