"""The composition root: settings in, the long-lived pieces every entry point shares out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy.engine import Engine

from bot.config import Settings, load_policy, load_reference_rates
from bot.db import make_engine
from bot.domain.calendar import add_business_days, at_local_time, is_business_day, local_today
from bot.domain.late_payment import ReferenceRates
from bot.domain.policy import Policy
from bot.rendering.templates import Templates
from bot.services.compose import Composer


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    policy: Policy
    rates: dict[str, ReferenceRates]
    templates: Templates
    composer: Composer
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.clock()

    def company_today(self, now: datetime) -> date:
        """The run date: the company's local date (digests and suggestions are per day)."""
        return local_today(now, self.settings.timezone)


def build_runtime(settings: Settings, engine: Engine | None = None,
                  clock: Callable[[], datetime] | None = None) -> Runtime:
    rates = load_reference_rates(settings.rates_file)
    templates = Templates(settings.templates_dir)
    policy = load_policy(settings.policy_file)
    return Runtime(
        settings=settings,
        engine=engine or make_engine(settings.database_url),
        policy=policy,
        rates=rates,
        templates=templates,
        composer=Composer(settings, templates, rates, policy.discount_days),
        **({"clock": clock} if clock else {}),
    )


def next_business_morning(today: date, settings: Settings) -> datetime:
    """10:00 on `today`, or on the next business day, where the company is (the demo's clock)."""
    day = today if is_business_day(today, settings.country) else add_business_days(
        today, 1, settings.country)
    return at_local_time(day, time(10), settings.timezone)
