"""What a customer owes now: the one rule the reminder, its letter, the page and the page's
payment code share."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.domain.due_now import Declared, after_declared, being_checked, due_now
from bot.domain.escalation import OpenCredit, OpenItem
from bot.domain.money import Money

TODAY = date(2026, 11, 26)


def item(number: str, cents: int, due_in: int, **kwargs: object) -> OpenItem:
    return OpenItem(number, "EUR", cents, TODAY + timedelta(days=due_in), **kwargs)  # type: ignore[arg-type]


LEDGER = (
    item("F-1", 10_000, -30, disputed=True),
    item("F-2", 20_000, -20, promised_until=TODAY + timedelta(days=5)),
    item("F-3", 30_000, 10),  # coming due
    item("F-4", 9_990, -5),
    item("F-5", 45_678, -12),
    item("F-6", 5_000, -40, promised_until=TODAY - timedelta(days=10)),  # promise broken
    item("F-7", 0, -3),  # nothing left
    item("F-8", 1_000, 0),  # due today: not late yet
)


def test_due_now_is_overdue_undisputed_and_not_promised_for_later() -> None:
    split = due_now(LEDGER, grace_days=3, today=TODAY)
    assert [i.number for i in split.due] == ["F-4", "F-5", "F-6"]
    assert [i.number for i in split.coming_due] == ["F-3", "F-8"]
    assert [i.number for i in split.disputed] == ["F-1"]
    assert [i.number for i in split.held] == ["F-2"]
    assert split.totals == [Money(Decimal("606.68"), "EUR")]


def test_a_promise_holds_through_its_grace_and_not_a_day_more() -> None:
    promised = (item("P-1", 100, -9, promised_until=TODAY - timedelta(days=3)),)
    assert due_now(promised, grace_days=3, today=TODAY).held
    assert due_now(promised, grace_days=2, today=TODAY).due


def test_credits_come_off_their_own_currency_only() -> None:
    split = due_now(LEDGER, grace_days=3, today=TODAY)
    credits = [
        OpenCredit("AV-1", "EUR", 6_668, TODAY),
        OpenCredit("AV-2", "GBP", 100_000, TODAY),  # nothing due in pounds: never a total
    ]
    assert split.to_pay(credits) == [Money(Decimal("540.00"), "EUR")]
    assert split.to_pay([OpenCredit("AV-3", "EUR", 60_668, TODAY)]) == []


def test_a_declared_payment_is_checked_until_the_ledger_shows_money_in() -> None:
    declared = Declared(TODAY, Money(Decimal("200.00"), "EUR"), Money(Decimal("606.68"), "EUR"))
    assert being_checked(declared, Money(Decimal("606.68"), "EUR"), held=True)
    assert not being_checked(declared, Money(Decimal("406.68"), "EUR"), held=True)  # came in
    assert not being_checked(declared, Money(Decimal("606.68"), "EUR"), held=False)  # hold over
    due = Money(Decimal("606.68"), "EUR")
    assert after_declared(due, declared) == Money(Decimal("406.68"), "EUR")
    assert after_declared(Money(Decimal("150.00"), "EUR"), declared).amount == 0
    assert after_declared(Money(Decimal("5.00"), "GBP"), declared).amount == Decimal("5.00")
