"""The context every use case runs in: settings and policy in force, the engine, the composer,
the clock. Built once per process by the composition root (bot/entry/composition.py); services,
Slack and the page take it, never build it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from time import monotonic
from typing import Any

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.domain.calendar import local_today
from bot.domain.late_payment import LawBook, ReferenceRates
from bot.domain.policy import Policy, PolicyError
from bot.domain.segments import Segments
from bot.failures import Failure
from bot.rate_files import load_law_book, load_rates
from bot.rendering.templates import Templates
from bot.services.common.customer_policy import Policies
from bot.services.common.errors import Invalid
from bot.services.operations import app_settings
from bot.services.reminders.compose import Composer
from bot.services.reminders.drafting import Drafter

log = logging.getLogger(__name__)
VERSION_CHECK_SECONDS = 1.0


@dataclass
class Runtime:
    """`settings` and `policy` are the environment's and the policy file's values with the
    leads' changes from Slack on top (`refresh`); every instance refreshes them regularly."""

    settings: Settings
    engine: Engine
    policy: Policy
    rates: dict[str, ReferenceRates]
    templates: Templates
    composer: Composer
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    segments: Segments = field(default_factory=Segments)  # policies other than the main one

    def __post_init__(self) -> None:
        self.base_settings, self.base_policy = self.settings, self.policy
        self._rates_stamp = _stamp(self.settings.fetched_rates_file)

    def laws(self) -> LawBook:
        """The law book on the rate tables in force: read again once `relance rates update`
        (from cron, say) has written new tables since (one stat a call). A file that cannot be
        read leaves the tables as they were, logged."""
        stamp = _stamp(self.base_settings.fetched_rates_file)
        if stamp != self._rates_stamp:
            self._rates_stamp = stamp
            try:
                rates = load_rates(self.base_settings)
                self.composer.laws = load_law_book(rates)
                self.rates = rates
            except (Failure, OSError, ValueError, KeyError) as exc:
                log.error("the fetched rate tables could not be read, kept the others: %s", exc)
        return self.composer.laws

    def now(self) -> datetime:
        return self.clock()

    def drafter(self) -> Drafter:
        """What writes a reminder's texts when first needed, with the policy in force now."""
        return Drafter(self.engine, self.composer, self.policy, self.segments)

    def governing(self) -> Policies:
        """What tells which policy governs a customer: the main one in force, or its segment's."""
        return Policies(self.policy, self.segments)

    def policies(self) -> tuple[Policy, ...]:
        """The main policy and every segment's: what holds for any customer's stage."""
        return (self.policy, *self.segments.policies.values())

    def refresh(self) -> None:
        self._version = app_settings.version(self.engine)
        self.settings, self.policy = app_settings.apply(
            self.base_settings, self.base_policy, app_settings.overrides(self.engine)
        )

    def fresh_settings(self) -> Settings:
        """The settings with every lead's change, for decisions about authority: one small
        query compares the stored settings' version with the one applied here (at most once a
        second, so a burst of clicks makes one query), so an approver removed on one instance
        is refused on every instance within a second."""
        checked = getattr(self, "_version_checked", float("-inf"))
        if monotonic() - checked >= VERSION_CHECK_SECONDS:
            self._version_checked = monotonic()
            if app_settings.version(self.engine) != getattr(self, "_version", None):
                self.refresh()
        return self.settings

    def change_settings(self, values: dict[str, Any], user: str) -> None:
        """A lead's change: checked against the policy (a stage's discount may not exceed a
        lowered ceiling), saved with its audit event, in force here at once."""
        clean = app_settings.validate(values)
        try:
            app_settings.apply(
                self.base_settings,
                self.base_policy,
                {**app_settings.overrides(self.engine), **clean},
            )
        except PolicyError as exc:
            raise Invalid(exc.phrase) from None
        app_settings.save(
            self.engine, clean, app_settings.current(self.settings, self.policy), user
        )
        self.refresh()

    def company_today(self, now: datetime) -> date:
        """The run date: the company's local date (digests and suggestions are per day)."""
        return local_today(now, self.settings.timezone)


def _stamp(path: Path) -> int | None:
    return path.stat().st_mtime_ns if path.exists() else None
