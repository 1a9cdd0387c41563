"""The Deutsche Bundesbank's SDMX web service: the Basiszinssatz of § 247 BGB, monthly series
BBIN1.M.DE.BBK.BBKBAS2.EUR.ME (formerly BBK01.SU0115; "Base rate as per Civil Code / End of
month"), as SDMX-CSV (`format=sdmx_csv`, documented under "Web service interface: Data" on
bundesbank.de). A month's value is the rate in force at its end; the rate changes only on
1 January and 1 July."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.channels.rates import http, sdmx_csv

FLOW, KEY = "BBIN1", "M.DE.BBK.BBKBAS2.EUR.ME"
SERIES = f"{FLOW}.{KEY}"
DEFAULT_BASE = "https://api.statistiken.bundesbank.de/rest"


def url(base: str, start: date) -> str:
    return f"{base.rstrip('/')}/data/{FLOW}/{KEY}?format=sdmx_csv&startPeriod={start:%Y-%m}"


def parse(text: str) -> list[tuple[date, Decimal]]:
    return sdmx_csv.parse(text, SERIES, ";", "BBK_ID")


def fetch(base: str, start: date) -> list[tuple[date, Decimal]]:
    return parse(
        http.get(url(base, start), "application/vnd.sdmx.data+csv;version=1.0.0, text/csv")
    )
