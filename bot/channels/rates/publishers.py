"""Which publisher each rate table is fetched from, at the addresses the settings give (so that
a test, or a mirror, can stand in for them)."""

from __future__ import annotations

from datetime import date

from bot.channels.rates import boe, bundesbank, ecb
from bot.config import Settings
from bot.domain.rate_series import Source


def sources(settings: Settings, today: date) -> list[Source]:
    return [
        Source(
            "ECB",
            ecb.SERIES,
            "ECB Data Portal",
            lambda start: ecb.fetch(settings.rates_ecb_url, start),
        ),
        Source(
            "BoE",
            boe.SERIES,
            "Bank of England Interactive Database",
            lambda start: boe.fetch(settings.rates_boe_url, start, today),
        ),
        Source(
            "DE-BASIS",
            bundesbank.SERIES,
            "Deutsche Bundesbank",
            lambda start: bundesbank.fetch(settings.rates_bundesbank_url, start),
            half_yearly=True,
        ),
    ]
