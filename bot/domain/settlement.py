"""Reading a customer ledger's entries as open items, the way the ledger itself settles them.

A general ledger (the French FEC) lists entries, not invoices: an invoice debits the customer
account, a payment or a credit note credits it, and lettering (a matching code on each line)
records which entries settle which. Read entry by entry, a payment would stand apart as a credit
and every figure would count the debt twice over. Here the entries of one document become one
item; a fully lettered group is settled; the credits of a partly lettered group go to the
invoices of that group first; every credit left over, lettered or not, goes to the customer's
oldest open invoices in its currency. What the customer owes is then the same everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Entry:
    """One ledger line on a customer account, amount signed (debit positive), minor units."""

    line: int
    customer: str
    currency: str
    number: str
    amount: int
    issued: date
    lettering: str = ""


@dataclass
class Item:
    """One document once its entries are read together: an invoice (`amount` > 0) and what has
    been paid on it, or a credit (`amount` < 0) and how much of it has been used (`paid`, of
    the same sign). `line` is its first entry's. `open` below zero is a credit left to use."""

    line: int
    customer: str
    currency: str
    number: str
    amount: int
    issued: date
    paid: int = 0
    letters: set[str] = field(default_factory=set)

    @property
    def open(self) -> int:
        return self.amount - self.paid


class Conflict(ValueError):
    """Entries of one document number under two customers or currencies."""

    def __init__(self, line: int, number: str, first_line: int):
        super().__init__(
            f"document {number!r} is on line {first_line} under another customer or currency"
        )
        self.line = line


def settle(entries: list[Entry]) -> list[Item]:
    """Each document's item, with what the ledger's credits have paid on it."""
    items: dict[str, Item] = {}
    inner_credit: dict[str, int] = defaultdict(int)
    for e in entries:
        item = items.get(e.number)
        if item is None:
            item = items[e.number] = Item(e.line, e.customer, e.currency, e.number, 0, e.issued)
        elif (item.customer, item.currency) != (e.customer, e.currency):
            raise Conflict(e.line, e.number, item.line)
        # An invoice's own later credit lines (a payment booked under its number) pay it.
        if e.amount >= 0:
            item.amount += e.amount
        else:
            inner_credit[e.number] -= e.amount
        item.issued = min(item.issued, e.issued)
        if e.lettering:
            item.letters.add(e.lettering)
    for number, item in items.items():
        credit = inner_credit.get(number, 0)
        if item.amount == 0:  # only credit lines: a payment or a credit note
            item.amount = -credit
        else:  # paid beyond its amount, the invoice holds a credit (`open` below zero)
            item.paid += credit
    ordered = sorted(items.values(), key=lambda i: (i.issued, i.line))
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in ordered:
        for letter in item.letters:
            groups[(item.customer, letter)].append(item)
    for members in groups.values():
        if sum(m.open for m in members) == 0:  # fully lettered: everything settled
            for m in members:
                m.paid = m.amount
        else:
            _apply(members)
    by_account: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in ordered:
        by_account[(item.customer, item.currency)].append(item)
    for account in by_account.values():
        _apply(account)
    return ordered


def _apply(items: list[Item]) -> None:
    """Each credit's unused part (`open` below zero) paid on the open invoices, oldest first;
    `items` come oldest first."""
    invoices = [i for i in items if i.open > 0]
    for credit in (i for i in items if i.open < 0):
        for invoice in invoices:
            used = min(-credit.open, invoice.open)
            if used > 0:
                invoice.paid += used
                credit.paid -= used
            if credit.open == 0:
                break
