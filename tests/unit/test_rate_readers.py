"""Each publisher's reader on its recorded answer (tests/fixtures/rates, sources in SOURCES.md)
and on what it must refuse rather than read: another series, an error page, a broken row."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.channels.rates import boe, bundesbank, ecb
from bot.channels.rates.sdmx_csv import FormatError
from bot.domain.rate_series import changes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rates"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_the_ecb_daily_series_gives_each_decision() -> None:
    seen = ecb.parse(read("ecb_mro_daily.csv"))
    assert len(seen) == 731 + 120 and seen[-1] == (date(2026, 4, 30), Decimal("2.15"))
    assert [d for d, _ in changes(seen)][1:] == [
        date(2024, 6, 12),
        date(2024, 9, 18),
        date(2024, 10, 23),
        date(2024, 12, 18),
        date(2025, 2, 5),
        date(2025, 3, 12),
        date(2025, 4, 23),
        date(2025, 6, 11),
    ]


def test_bank_rate_by_business_day_gives_the_december_cut() -> None:
    steps = changes(boe.parse(read("boe_bank_rate.csv")))
    assert steps[-1] == (date(2025, 12, 18), Decimal("3.75"))
    assert steps[-2] == (date(2025, 8, 7), Decimal("4.00"))


def test_the_basiszinssatz_by_month_changes_on_the_half_years() -> None:
    steps = changes(bundesbank.parse(read("bundesbank_basiszinssatz.csv")))
    assert steps == (
        (date(2024, 1, 1), Decimal("3.62")),
        (date(2024, 7, 1), Decimal("3.37")),
        (date(2025, 1, 1), Decimal("2.27")),
        (date(2025, 7, 1), Decimal("1.27")),
    )


ECB_HEAD = "KEY,FREQ,REF_AREA,CURRENCY,PROVIDER_FM,INSTRUMENT_FM,PROVIDER_FM_ID,DATA_TYPE_FM,TIME_PERIOD,OBS_VALUE\n"
DFR = "FM.D.U2.EUR.4F.KR.DFR.LEV,D,U2,EUR,4F,KR,DFR,LEV,2025-06-11,2\n"
MRO = "FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2025-06-11,{}\n"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "the answer is empty"),
        ("<html><body>Service unavailable</body></html>", "line 1: no column"),
        (ECB_HEAD + DFR, "line 2: series 'FM.D.U2.EUR.4F.KR.DFR.LEV'"),  # the deposit rate
        (ECB_HEAD + MRO.format("two"), "line 2: '2025-06-11' = 'two' is not a dated rate"),
        (ECB_HEAD + MRO.format("215"), "line 2: '215' is not a rate in percent"),
        (ECB_HEAD + MRO.format("NaN"), "line 2: 'NaN' is not a rate in percent"),
        (ECB_HEAD + MRO.format("2.15").replace(",2.15", ""), "line 2: 9 cells"),
        (ECB_HEAD + MRO.format(""), "no observation in the answer"),
    ],
)
def test_the_sdmx_reader_refuses_what_is_not_the_series(text: str, error: str) -> None:
    with pytest.raises(FormatError, match=error):
        ecb.parse(text)


def test_the_bundesbank_reader_checks_the_series_id() -> None:
    other = read("bundesbank_basiszinssatz.csv").replace("BBKBAS2", "BBKBAS1")  # the DÜG rate
    with pytest.raises(
        FormatError, match=re.escape("line 2: series 'BBIN1.M.DE.BBK.BBKBAS1.EUR.ME'")
    ):
        bundesbank.parse(other)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<!DOCTYPE html><html>Error</html>", "is not the header DATE,IUDBEDR"),
        ("DATE,IUDSOIA\n18 Dec 2025,3.72\n", "is not the header DATE,IUDBEDR"),  # SONIA
        ("DATE,IUDBEDR\n2025-12-18,3.75\n", "line 2: .* is not a dated rate"),
        ("DATE,IUDBEDR\n18 Dec 2025,3.75,x\n", "line 2: 3 cells"),
        ("DATE,IUDBEDR\n", "no observation"),
    ],
)
def test_the_bank_of_england_reader_refuses_what_is_not_bank_rate(text: str, error: str) -> None:
    with pytest.raises(FormatError, match=error):
        boe.parse(text)


def test_the_requests_ask_each_publisher_for_its_series_in_its_format() -> None:
    assert ecb.url("https://x/service", date(2023, 12, 5)) == (
        "https://x/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV"
        "?format=csvdata&detail=dataonly&startPeriod=2023-12-05"
    )
    assert "Datefrom=05/Dec/2023&Dateto=06/Dec/2026&SeriesCodes=IUDBEDR&CSVF=TN" in boe.url(
        "https://x", date(2023, 12, 5), date(2026, 12, 6)
    )
    assert bundesbank.url("https://x/rest", date(2023, 12, 5)).endswith(
        "/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME?format=sdmx_csv&startPeriod=2023-12"
    )
