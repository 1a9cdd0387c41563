"""The ECB Data Portal: the main refinancing operations rate, daily series
FM.D.U2.EUR.4F.KR.MRR_FR.LEV, as SDMX-CSV (`format=csvdata`, documented at
data.ecb.europa.eu/help/api/data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.channels.rates import http, sdmx_csv

FLOW, KEY = "FM", "D.U2.EUR.4F.KR.MRR_FR.LEV"
SERIES = f"{FLOW}.{KEY}"
DEFAULT_BASE = "https://data-api.ecb.europa.eu/service"


def url(base: str, start: date) -> str:
    return (
        f"{base.rstrip('/')}/data/{FLOW}/{KEY}?format=csvdata&detail=dataonly&startPeriod={start}"
    )


def parse(text: str) -> list[tuple[date, Decimal]]:
    return sdmx_csv.parse(text, SERIES, ",", "KEY")


def fetch(base: str, start: date) -> list[tuple[date, Decimal]]:
    return parse(http.get(url(base, start), "text/csv"))
