"""What a customer owes now: one truth for the reminder, its letter, the customer's page and
the page's payment code, so that no two of them ask for different sums.

Due now: past its due date, not disputed, not promised (or held by a plan on track) for a date
whose grace has not passed. Not yet due, and otherwise free, is coming due: shown apart, never
in the sum asked for. Credit notes are taken off the sum of their currency.

A payment the customer declared (on their page) is being checked until the ledger shows money
came in or the hold it put on the account ends: meanwhile no payment code asks for it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from bot.domain.aging import days_overdue
from bot.domain.money import Money, totals_by_currency
from bot.domain.promises import grace_over


class Chased(Protocol):
    """An open invoice as this rule reads it (the morning's `OpenItem`)."""

    @property
    def due_date(self) -> date: ...
    @property
    def disputed(self) -> bool: ...
    @property
    def promised_until(self) -> date | None: ...
    @property
    def balance(self) -> Money: ...


class Credited(Protocol):
    @property
    def amount(self) -> Money: ...


ItemT = TypeVar("ItemT", bound=Chased)


def held_for_later(item: Chased, grace_days: int, today: date) -> bool:
    """Promised (or on a plan) for a date that, with its grace, has not passed yet."""
    return item.promised_until is not None and not grace_over(
        item.promised_until, grace_days, today
    )


def chaseable(item: Chased, grace_days: int, today: date) -> bool:
    """Neither disputed nor held for later: what a reminder may ask for once it is late."""
    return not item.disputed and not held_for_later(item, grace_days, today)


@dataclass(frozen=True)
class DueNow(Generic[ItemT]):
    due: tuple[ItemT, ...]  # past due and chaseable, in the order given
    coming_due: tuple[ItemT, ...]  # not yet due and chaseable
    disputed: tuple[ItemT, ...]
    held: tuple[ItemT, ...]  # promised or on a plan, for later

    @property
    def totals(self) -> list[Money]:
        """The sums due now, by currency, before credits."""
        return totals_by_currency(i.balance for i in self.due)

    def to_pay(self, credits: Iterable[Credited] = ()) -> list[Money]:
        """What to pay now, by currency: the sums due less the credits of those currencies;
        a currency the credits cover entirely asks for nothing and is left out."""
        currencies = {i.balance.currency for i in self.due}
        net = totals_by_currency(
            [
                *(i.balance for i in self.due),
                *(
                    Money(-c.amount.amount, c.amount.currency)
                    for c in credits
                    if c.amount.currency in currencies
                ),
            ]
        )
        return [m for m in net if m.amount > 0]


def due_now(items: Sequence[ItemT], grace_days: int, today: date) -> DueNow[ItemT]:
    """Sorts a customer's open invoices (balance above zero) into due now, coming due,
    disputed and held for later, each keeping the order given."""
    due, coming, disputed, held = [], [], [], []
    for item in items:
        if item.balance.amount <= 0:
            continue
        if item.disputed:
            disputed.append(item)
        elif held_for_later(item, grace_days, today):
            held.append(item)
        elif days_overdue(item.due_date, today) > 0:
            due.append(item)
        else:
            coming.append(item)
    return DueNow(tuple(due), tuple(coming), tuple(disputed), tuple(held))


@dataclass(frozen=True)
class Declared:
    """A payment the customer declared on their page."""

    on: date  # the date they say they paid
    amount: Money
    open_then: Money  # what was open in its currency when they declared it


def being_checked(declared: Declared | None, open_now: Money | None, held: bool) -> bool:
    """Whether a declared payment is still being checked: while the hold it put on the account
    lasts and the ledger shows nothing paid since (what is open has not come down)."""
    if declared is None or not held:
        return False
    return open_now is not None and open_now.amount >= declared.open_then.amount


def after_declared(to_pay: Money, declared: Declared | None) -> Money:
    """What is left to ask for once a declared payment being checked is set against it."""
    if declared is None or declared.amount.currency != to_pay.currency:
        return to_pay
    return Money(max(to_pay.amount - declared.amount.amount, Decimal(0)), to_pay.currency)
