"""From a publisher's series to a dated table, the Austrian base rate by its statute, the fetched
tables laid over the bundled ones, and when a table is overdue for a refresh."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.late_payment import Fixing, ReferenceRates
from bot.domain.rate_series import austrian_base_rate, changes, next_fixing, overlay, stale_tables
from bot.rate_files import load_law_book, load_reference_rates

D = Decimal


def test_a_daily_series_becomes_the_days_it_changed() -> None:
    daily = [(date(2025, 6, d), D("2.40") if d < 11 else D("2.15")) for d in range(1, 15)]
    assert changes(daily) == ((date(2025, 6, 1), D("2.40")), (date(2025, 6, 11), D("2.15")))
    with pytest.raises(ValueError, match="two values for 2025-06-01"):
        changes([(date(2025, 6, 1), D("2.40")), (date(2025, 6, 1), D("2.15"))])


# The ECB's changes from September 2023 (ecb.europa.eu, "Key ECB interest rates") and the base rate
# the OeNB announced after each (OeNB / APA-OTS press releases of 14 Sep 2023, 12 Sep 2024, and
# the 2024-12-18, 2025-03-12 and 2025-06-11 changes): the statute's rule gives each of them.
ECB = [
    (date(2023, 9, 20), D("4.50")),
    (date(2024, 6, 12), D("4.25")),
    (date(2024, 9, 18), D("3.65")),
    (date(2024, 10, 23), D("3.40")),
    (date(2024, 12, 18), D("3.15")),
    (date(2025, 2, 5), D("2.90")),
    (date(2025, 3, 12), D("2.65")),
    (date(2025, 4, 23), D("2.40")),
    (date(2025, 6, 11), D("2.15")),
]
OENB = (
    (date(2023, 9, 20), D("3.88")),
    (date(2024, 9, 18), D("3.03")),
    (date(2024, 12, 18), D("2.53")),
    (date(2025, 3, 12), D("2.03")),
    (date(2025, 6, 11), D("1.53")),
)


def test_the_austrian_base_rate_moves_once_the_ecb_rate_moved_half_a_point() -> None:
    assert austrian_base_rate(ECB, OENB[0], D("4.50")) == OENB
    # a quarter-point move alone leaves it; a second one in the same direction moves it by both
    later = [*ECB, (date(2026, 3, 18), D("2.40"))]
    assert austrian_base_rate(later, OENB[-1], D("2.15")) == (OENB[-1],)
    assert austrian_base_rate([*later, (date(2026, 6, 10), D("2.65"))], OENB[-1], D("2.15"))[
        -1
    ] == (date(2026, 6, 10), D("2.03"))


def test_the_next_fixing_day_of_each_kind_of_law() -> None:
    assert next_fixing(date(2025, 12, 18), [Fixing.BEFORE_START]) == date(2025, 12, 31)
    assert next_fixing(date(2025, 12, 31), [Fixing.BEFORE_START]) == date(2026, 6, 30)
    assert next_fixing(date(2025, 12, 31), [Fixing.HALF_YEAR]) == date(2026, 1, 1)
    assert next_fixing(date(2026, 6, 30), [Fixing.HALF_YEAR, Fixing.BEFORE_START]) == date(
        2026, 7, 1
    )
    assert next_fixing(date(2026, 6, 30), []) is None


def table(as_of: date, *steps: tuple[date, str], source: str = "s") -> ReferenceRates:
    return ReferenceRates(source, tuple((d, D(r)) for d, r in steps), as_of, "Bank Rate")


def test_the_table_known_later_wins_and_the_other_only_adds_what_came_before() -> None:
    bundled = {
        "BoE": table(date(2025, 12, 18), (date(2023, 8, 3), "5.25"), (date(2025, 12, 18), "3.75"))
    }
    fetched = {
        "BoE": table(
            date(2025, 12, 31),
            (date(2024, 1, 2), "5.25"),
            (date(2025, 12, 18), "3.75"),
            source="fetched",
        )
    }
    merged = overlay(bundled, fetched)["BoE"]
    assert merged.source == "fetched" and merged.as_of == date(2025, 12, 31)
    assert merged.changes[0] == (date(2023, 8, 3), D("5.25"))  # from before the fetched window
    assert merged.on(date(2025, 12, 31)) == D("3.75")
    # a fetched file older than the bundled table (the app was upgraded since) yields to it
    assert overlay(fetched, bundled)["BoE"].as_of == date(2025, 12, 31)
    older = {"BoE": table(date(2025, 6, 30), (date(2024, 1, 2), "5.25"), source="old")}
    assert overlay(bundled, older)["BoE"].source == "s"


def test_a_table_more_than_a_week_past_its_next_fixing_is_stale() -> None:
    book = load_law_book(load_reference_rates())
    # bundled: Bank Rate known to 2026-06-18 (the UK law fixes on 30 June), ECB and OeNB to
    # 2026-04-30 (their laws fix on 1 July), the Basiszinssatz to 2026-06-30
    assert stale_tables(book, date(2026, 7, 7)) == []  # 7 days: not yet
    assert [t.key for t in stale_tables(book, date(2026, 7, 8))] == ["BoE"]
    stale = {t.key: t for t in stale_tables(book, date(2026, 7, 9))}
    assert set(stale) == {"AT-BASIS", "BoE", "DE-BASIS", "ECB"}
    assert stale["BoE"].next_fixing == date(2026, 6, 30)
    assert stale["ECB"].next_fixing == date(2026, 7, 1)
    assert stale["DE-BASIS"].next_fixing == date(2026, 7, 1)


def test_a_fetched_table_that_says_another_rate_on_a_day_both_cover_disagrees() -> None:
    from bot.domain.rate_series import disagreement

    known = table(date(2025, 12, 18), (date(2023, 8, 3), "5.25"), (date(2025, 12, 18), "3.75"))
    same = table(date(2025, 12, 31), (date(2024, 1, 2), "5.25"), (date(2025, 12, 18), "3.75"))
    assert disagreement(known, same) is None
    late = table(date(2025, 12, 31), (date(2024, 1, 2), "5.25"), (date(2025, 12, 19), "3.75"))
    assert disagreement(known, late) == (
        "it gives 5.25 % on 2025-12-18 where the table in force says 3.75 %"
    )
    # after the table in force ends, a new rate is news, not a disagreement
    news = table(date(2026, 2, 6), *same.changes, (date(2026, 2, 5), "3.50"))
    assert disagreement(known, news) is None
