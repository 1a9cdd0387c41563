"""Statutory interest and fixed compensation per governing law, against the rates each country
publishes for its half-years and worked examples computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.late_payment import late_charges
from bot.domain.money import Money
from bot.rate_files import load_law_book, load_reference_rates

BOOK = load_law_book(load_reference_rates())


def charges(law: str, amount: str, currency: str, due: date, on: date):  # type: ignore[no-untyped-def]
    return late_charges(
        invoice_number="X",
        debt=Money(Decimal(amount), currency),
        due_date=due,
        on=on,
        law=BOOK.law(law),
        rates=BOOK.rates,
    )


def rate_for_half_year(law: str, first_day: date) -> Decimal:
    """The statutory rate charged on a day in the half-year starting `first_day`."""
    c = charges(
        law, "1000.00", "EUR" if law != "GB" else "GBP", first_day, first_day.replace(day=2)
    )
    return c.periods[0].rate


# The rates each country published (its official gazette or central bank) for B2B late payment.
PUBLISHED = [
    # France: ECB + 10 (Banque de France / Légifrance notices)
    ("FR", date(2025, 1, 1), "13.15"),
    ("FR", date(2025, 7, 1), "12.15"),
    # Germany: Basiszinssatz + 9 (Bundesbank)
    ("DE", date(2024, 1, 1), "12.62"),
    ("DE", date(2024, 7, 1), "12.37"),
    ("DE", date(2025, 1, 1), "11.27"),
    ("DE", date(2025, 7, 1), "10.27"),
    ("DE", date(2026, 1, 1), "10.27"),
    # Austria: OeNB base rate on the half-year's first day + 9.2
    ("AT", date(2024, 7, 1), "13.08"),
    ("AT", date(2025, 1, 1), "11.73"),
    ("AT", date(2025, 7, 1), "10.73"),
    # Belgium: ECB + 8, rounded up to the next half point (SPF Finances, Moniteur belge)
    ("BE", date(2024, 1, 1), "12.5"),
    ("BE", date(2024, 7, 1), "12.5"),
    ("BE", date(2025, 1, 1), "11.5"),
    ("BE", date(2025, 7, 1), "10.5"),
    # ECB + 8 (Netherlands, Italy, Spain, Portugal, Ireland, Luxembourg)
    *[(c, date(2024, 7, 1), "12.25") for c in ("NL", "IT", "ES", "PT", "IE", "LU")],
    *[(c, date(2025, 1, 1), "11.15") for c in ("NL", "IT", "ES", "PT", "IE", "LU")],
    *[(c, date(2025, 7, 1), "10.15") for c in ("NL", "IT", "ES", "PT", "IE", "LU")],
    # United Kingdom: Bank Rate on the 31 December / 30 June before + 8
    ("GB", date(2025, 1, 1), "12.75"),
    ("GB", date(2025, 7, 1), "12.25"),
]


@pytest.mark.parametrize(("law", "first_day", "rate"), PUBLISHED)
def test_the_rate_of_each_half_year_is_the_published_one(
    law: str, first_day: date, rate: str
) -> None:
    assert rate_for_half_year(law, first_day) == Decimal(rate)


def test_france_ecb_plus_ten_points_and_forty_euros() -> None:
    # 30 days (1 Feb – 2 Mar 2025) at 13.15 %: 10 000 × 13.15 % × 30 / 365 = 108.08
    c = charges("FR", "10000.00", "EUR", date(2025, 1, 31), date(2025, 3, 2))
    assert c.days == 30
    assert c.interest == Money(Decimal("108.08"), "EUR")
    assert c.compensation == Money(Decimal("40"), "EUR")


def test_germany_across_a_half_year_boundary() -> None:
    # 10 days of June 2025 at 11.27 % and 10 of July at 10.27 %, one line per period:
    # 1 000 × 11.27 % × 10 / 365 + 1 000 × 10.27 % × 10 / 365 = 3.0877 + 2.8137 = 5.90
    c = charges("DE", "1000.00", "EUR", date(2025, 6, 20), date(2025, 7, 10))
    assert [(p.days, p.rate) for p in c.periods] == [(10, Decimal("11.27")), (10, Decimal("10.27"))]
    assert c.interest == Money(Decimal("5.90"), "EUR")
    assert c.compensation == Money(Decimal("40"), "EUR")


def test_austria_uses_the_oenb_base_rate_plus_nine_point_two() -> None:
    # 31 days of March 2025 at 2.53 + 9.2 = 11.73 % (the 12 March cut waits for July):
    # 20 000 × 11.73 % × 31 / 365 = 199.25
    c = charges("AT", "20000.00", "EUR", date(2025, 2, 28), date(2025, 3, 31))
    assert [p.rate for p in c.periods] == [Decimal("11.73")]
    assert c.interest == Money(Decimal("199.25"), "EUR")


def test_belgium_rounds_up_to_the_half_point() -> None:
    # 3.15 + 8 = 11.15 → 11.5 %: 5 000 × 11.5 % × 59 / 365 = 92.95
    c = charges("BE", "5000.00", "EUR", date(2025, 1, 1), date(2025, 3, 1))
    assert (c.days, c.periods[0].rate) == (59, Decimal("11.5"))
    assert c.interest == Money(Decimal("92.95"), "EUR")


def test_netherlands_adds_each_years_interest_to_the_debt() -> None:
    # Year 1 (1 Jul 2024 – 30 Jun 2025): 10 000 × (12.25 % × 184 + 11.15 % × 181) / 365
    #   = 617.53 + 552.92 = 1 170.45; then 31 days of July 2025 at 10.15 % on 11 170.45:
    #   96.30. Total 1 266.75 (simple interest would give 1 256.95).
    c = charges("NL", "10000.00", "EUR", date(2024, 6, 30), date(2025, 7, 31))
    assert [(p.days, p.rate) for p in c.periods] == [
        (184, Decimal("12.25")),
        (181, Decimal("11.15")),
        (31, Decimal("10.15")),
    ]
    assert c.interest == Money(Decimal("1266.75"), "EUR")


@pytest.mark.parametrize(
    ("law", "currency", "debt", "compensation"),
    [
        ("IE", "EUR", "999.99", "40"),
        ("IE", "EUR", "1000.00", "70"),
        ("IE", "EUR", "9999.99", "70"),
        ("IE", "EUR", "10000.00", "100"),
        ("GB", "GBP", "999.99", "40"),
        ("GB", "GBP", "1000.00", "70"),
        ("GB", "GBP", "9999.99", "70"),
        ("GB", "GBP", "10000.00", "100"),
        ("GB", "GBP", "250000.00", "100"),
        ("ES", "EUR", "250000.00", "40"),
    ],
)
def test_compensation_thresholds_exactly_at_the_boundaries(
    law: str, currency: str, debt: str, compensation: str
) -> None:
    c = charges(law, debt, currency, date(2025, 3, 1), date(2025, 4, 1))
    assert c.compensation == Money(Decimal(compensation), currency)


def test_uk_fixes_the_rate_at_the_reference_date_before_interest_starts() -> None:
    # From 2 Mar 2025: Bank Rate on 31 Dec 2024, 4.75 % + 8 = 12.75 %, for the whole debt;
    # 61 days: 5 000 × 12.75 % × 61 / 365 = 106.54
    c = charges("GB", "5000.00", "GBP", date(2025, 3, 1), date(2025, 5, 1))
    assert (c.days, c.periods[0].rate, c.periods[0].fixed_on) == (
        61,
        Decimal("12.75"),
        date(2024, 12, 31),
    )
    assert c.interest == Money(Decimal("106.54"), "GBP")
    later = charges("GB", "100.00", "GBP", date(2025, 8, 15), date(2025, 12, 31))
    assert [p.rate for p in later.periods] == [Decimal("12.25")]


def test_a_fixed_sum_in_another_currency_is_not_added() -> None:
    # Irish law, a debt in pounds: interest in pounds at the ECB-based rate, no euro sum added
    # 37 132.90 × 11.15 % × 30 / 365 = 340.30
    c = charges("IE", "37132.90", "GBP", date(2025, 1, 31), date(2025, 3, 2))
    assert c.interest == Money(Decimal("340.30"), "GBP")
    assert c.compensation is None
    assert "in EUR" in c.compensation_note and "in GBP" in c.compensation_note


def test_nothing_before_the_day_after_the_due_date_or_without_a_statutory_regime() -> None:
    assert charges("FR", "100.00", "EUR", date(2025, 3, 1), date(2025, 3, 1)) is None
    assert BOOK.law("US") is None
    assert charges("US", "100.00", "USD", date(2025, 3, 1), date(2025, 6, 1)) is None
    one_day = charges("FR", "36500.00", "EUR", date(2025, 3, 1), date(2025, 3, 2))
    assert one_day.days == 1 and one_day.interest.amount == Decimal("13.15")  # 13.15 % / 365


def test_a_date_before_the_rates_table_is_refused_and_one_after_it_is_flagged() -> None:
    with pytest.raises(LookupError, match="no ECB main refinancing operations rate known"):
        charges("FR", "100.00", "EUR", date(2022, 1, 1), date(2022, 3, 1))
    known = charges("FR", "100.00", "EUR", date(2025, 8, 1), date(2025, 9, 1))
    assert known.stale_as_of is None
    beyond = charges("FR", "100.00", "EUR", date(2025, 8, 1), date(2026, 8, 1))
    assert beyond.stale_as_of == BOOK.rates["ECB"].as_of


@pytest.mark.parametrize(
    ("law", "language", "citation"),
    [
        ("FR", "fr", "articles L441-10 et D441-5 du Code de commerce"),
        ("FR", "de", "Art. L441-10 und D441-5 des französischen Code de commerce"),
        ("DE", "de", "§ 288 Abs. 2 und 5 BGB"),
        ("DE", "en", "German Civil Code (BGB), section 288(2) and (5)"),
        ("AT", "de", "§§ 456 und 458 UGB"),
        ("BE", "fr", "articles 5 et 6 de la loi du 2 août 2002"),
        ("ES", "es", "artículos 7 y 8 de la Ley 3/2004, de 29 de diciembre"),
        ("GB", "en", "Late Payment of Commercial Debts (Interest) Act 1998, sections 4 and 5A"),
    ],
)
def test_the_law_is_cited_in_the_customers_language(law: str, language: str, citation: str) -> None:
    assert BOOK.law(law).citation(language).startswith(citation)


def test_every_law_names_its_source_and_is_cited_in_every_template_language() -> None:
    assert set(BOOK.laws) == {"FR", "DE", "AT", "BE", "NL", "IT", "ES", "PT", "IE", "LU", "GB"}
    for law in BOOK.laws.values():
        assert law.source
        assert {"en", "fr", "de", "es"} <= set(law.citations), law.code
    for table in BOOK.rates.values():
        assert table.source and table.name
