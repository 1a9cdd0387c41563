"""The composition root: settings in, the long-lived pieces every entry point shares out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine

from bot.config import Settings, load_policy, load_segments
from bot.db import make_engine
from bot.domain.calendar import add_business_days, at_local_time, is_business_day
from bot.rate_files import load_law_book, load_rates
from bot.rendering.templates import Templates
from bot.services.common.context import Runtime
from bot.services.operations.settings_check import policy_refusals
from bot.services.page import page_links
from bot.services.reminders.compose import Composer

log = logging.getLogger(__name__)
RATES_STALE_AFTER = timedelta(days=200)


def build_runtime(
    settings: Settings, engine: Engine | None = None, clock: Callable[[], datetime] | None = None
) -> Runtime:
    rates = load_rates(settings)
    today = (clock() if clock else datetime.now(UTC)).date()
    for table in rates.values():
        if today - table.as_of > RATES_STALE_AFTER:
            log.warning(
                "the %s table was last checked on %s: statutory interest "
                "on final notices uses the last rate known; update "
                "bot/reference_rates.toml, or run `relance rates update`",
                table.name,
                table.as_of.isoformat(),
            )
    templates = Templates(settings.templates_dir)
    policy = load_policy(settings.policy_file)
    segments = load_segments(settings.policy_file)
    # the start-up refusals `relance check` lists (bot/services/operations/settings_check.py): refuse now
    for _setting, refusal in policy_refusals(settings, (policy, *segments.policies.values())):
        raise refusal
    engine = engine or make_engine(settings.database_url)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        policy=policy,
        rates=rates,
        templates=templates,
        segments=segments,
        composer=Composer(
            settings,
            templates,
            load_law_book(rates),
            policy.discount_days,
            # read when a reminder is composed: the settings and clock of that moment
            page_url=lambda customer_id: page_links.page_url(
                engine, runtime.settings, customer_id, runtime.now()
            ),
        ),
        **({"clock": clock} if clock else {}),
    )
    return runtime


def next_business_morning(today: date, settings: Settings) -> datetime:
    """10:00 on `today`, or on the next business day, where the company is (the demo's clock)."""
    day = (
        today
        if is_business_day(today, settings.country)
        else add_business_days(today, 1, settings.country)
    )
    return at_local_time(day, time(10), settings.timezone)
