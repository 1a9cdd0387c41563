"""The digest message's changes and ranking, from figures built by hand (no database)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from bot.domain.aging import Bucket
from bot.domain.money import Money
from bot.services.ledger.aging_report import AgingReport, BucketTotal, OverdueCustomer
from bot.services.overview.digest import Digest
from bot.slack.blocks.digest import digest_blocks
from bot.slack.ids import SHOW_HELD_BACK, any_numbered
from tests.support.blockkit import check_message

TODAY = date(2026, 11, 25)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def digest(
    totals: list[BucketTotal],
    previous: dict[str, Money] | None,
    previous_buckets: dict[str, dict[Bucket, Money]] | None = None,
    top: list[OverdueCustomer] | None = None,
) -> Digest:
    aging = AgingReport(TODAY, totals, top or [])
    return Digest(
        run_date=TODAY,
        aging=aging,
        overdue={c: aging.total(c, overdue_only=True) for c in aging.currencies()},
        previous=previous,
        promises_due=[],
        promises_broken=[],
        failed=[],
        awaiting={},
        previous_buckets=previous_buckets,
    )


def text(d: Digest) -> str:
    blocks = digest_blocks(d, "en_GB")
    check_message(blocks)
    return json.dumps(blocks, ensure_ascii=False)


def test_each_bucket_shows_its_change_and_an_emptied_bucket_its_fall() -> None:
    d = digest(
        [
            BucketTotal(Bucket.DAYS_1_30, "EUR", 2, eur("300")),
            BucketTotal(Bucket.DAYS_61_90, "EUR", 1, eur("80")),
        ],
        {"EUR": eur("350")},
        {"EUR": {Bucket.DAYS_1_30: eur("200"), Bucket.DAYS_31_60: eur("150")}},
    )
    shown = text(d)
    assert "overdue *€380.00* (▲ €30.00 since the last digest)" in shown
    assert "1–30: €300.00 (▲ €100.00)" in shown
    assert "31–60: €0.00 (▼ €150.00)" in shown
    assert "61–90: €80.00 (▲ €80.00)" in shown


def test_a_currency_paid_off_entirely_shows_its_former_total_falling() -> None:
    d = digest(
        [BucketTotal(Bucket.DAYS_1_30, "EUR", 1, eur("100"))],
        {"EUR": eur("100"), "GBP": Money(Decimal("500"), "GBP")},
        {
            "EUR": {Bucket.DAYS_1_30: eur("100")},
            "GBP": {Bucket.OVER_90: Money(Decimal(500), "GBP")},
        },
    )
    shown = text(d)
    assert "*GBP* overdue *£0.00* (▼ £500.00 since the last digest)" in shown
    assert "over 90: £0.00 (▼ £500.00)" in shown
    assert "*EUR* overdue *€100.00* (unchanged since the last digest)" in shown


def test_the_ranking_is_numbered_within_each_currency() -> None:
    def owes(n: int, name: str, amount: Money) -> OverdueCustomer:
        return OverdueCustomer(n, name, "FR", 1, amount, TODAY - timedelta(days=10))

    gbp = Money(Decimal("70"), "GBP")
    d = digest(
        [BucketTotal(Bucket.DAYS_1_30, "EUR", 2, eur("150"))],
        None,
        top=[
            owes(1, "Alpha", eur("100")),
            owes(2, "Beta", eur("50")),
            owes(3, "Gamma", gbp),
            owes(4, "Delta", Money(Decimal("20"), "GBP")),
        ],
    )
    shown = text(d)
    for line in ("1. *Alpha*", "2. *Beta*", "1. *Gamma*", "2. *Delta*", "_EUR_", "_GBP_"):
        assert line in shown
    assert "3. *Gamma*" not in shown


def test_who_is_held_back_is_counted_by_reason_each_with_show() -> None:
    d = replace(
        digest([BucketTotal(Bucket.DAYS_1_30, "EUR", 1, eur("100"))], None),
        held_back={"promise to pay": 3, "paused": 1},
    )
    shown = text(d)
    assert "*Held back today*: 4 late customers get no reminder" in shown
    assert "promise to pay 3 · paused 1" in shown
    blocks = digest_blocks(d)
    show = next(b for b in blocks if b.get("block_id") == "held_back")["elements"]
    assert [e["value"] for e in show] == ["promise to pay", "paused"]
    # each its own action id (Slack refuses two alike in a block), each answered by *Show*
    assert len({e["action_id"] for e in show}) == 2
    assert all(any_numbered(SHOW_HELD_BACK).match(e["action_id"]) for e in show)


def test_approve_all_confirms_count_and_total_and_is_never_offered_for_final_notices() -> None:
    d = replace(
        digest([BucketTotal(Bucket.DAYS_1_30, "EUR", 1, eur("100"))], None),
        awaiting={"friendly": 2, "final": 1, "call": 3},
        awaiting_totals={"friendly": [eur("350"), Money(Decimal(20), "GBP")], "final": [eur("9")]},
        one_by_one=frozenset({"final"}),
        by_phone=frozenset({"call"}),
        stage_titles={
            "friendly": "Friendly reminder",
            "final": "Final notice",
            "call": "Phone call",
        },
    )
    blocks = digest_blocks(d)
    check_message(blocks)
    bulk = next(b for b in blocks if b.get("block_id") == "approve_all")["elements"]
    assert [e["value"] for e in bulk] == [f"{TODAY.isoformat()}|friendly"]  # no final, no call
    assert bulk[0]["text"]["text"] == "Approve all 2 · Friendly reminder"
    confirm = bulk[0]["confirm"]["text"]["text"]
    assert "approves the 2 reminders of the “Friendly reminder” stage" in confirm
    assert "asking for €350.00 + £20.00 in all" in confirm
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "Final notice: approved one by one, on each card." in shown
    assert "Phone call: made and logged with *Log call* on each card." in shown
    assert "Phone call 3 · Final notice 1 · Friendly reminder 2" in shown  # labels, not keys


def test_dates_to_staff_follow_the_staff_locale() -> None:
    """RELANCE_LOCALE=fr_FR: amounts and dates in French alike, not English weekday names."""
    from bot.services.overview.digest import PromiseLine

    figures = replace(
        digest([BucketTotal(Bucket.DAYS_1_30, "EUR", 1, eur("1234.56"))], None),
        promises_due=[PromiseLine("Atelier", "F-1", TODAY, None, eur("10"))],
    )
    french = json.dumps(digest_blocks(figures, "fr_FR"), ensure_ascii=False)
    assert "mercredi 25 novembre 2026" in french and "25 nov. 2026" in french
    assert "1\u202f234,56\xa0€" in french or "1 234,56\xa0€" in french
    assert "Wednesday" not in french
    english = json.dumps(digest_blocks(figures, "en_GB"), ensure_ascii=False)
    assert "Wednesday, 25 November 2026" in english and "25 Nov 2026" in english
