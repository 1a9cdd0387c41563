"""Reading a customer ledger's entries as open items, the way the ledger itself settles them.

A general ledger (the French FEC) lists entries, not invoices: an invoice debits the customer
account, a payment or a credit note credits it, and lettering (a matching code on each line)
records which entries settle which. Read entry by entry, a payment would stand apart as a credit
and every figure would count the debt twice over. Here a fully lettered group is settled; the credits
of a partly lettered group go to the invoices of that group first; every credit left over,
lettered or not, goes to the customer's oldest open invoices in its currency; then the entries
of one document become one item. What the customer owes is then the same everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
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

    @property
    def open(self) -> int:
        return self.amount - self.paid


@dataclass
class _Line:
    """One entry and what the settling has matched of it (same sign as its amount)."""

    entry: Entry
    paid: int = 0

    @property
    def amount(self) -> int:
        return self.entry.amount

    @property
    def open(self) -> int:
        return self.entry.amount - self.paid


class Conflict(ValueError):
    """Two customers' invoices under one document number."""

    def __init__(self, line: int, number: str, first_line: int):
        super().__init__(f"invoice {number!r} is on line {first_line} under another customer")
        self.line = line


def settle(entries: list[Entry]) -> list[Item]:
    """Each document's item, with what the ledger's credits have paid on it.

    Lettering is read line by line (one payment may letter several invoices under several
    codes): a group whose lines add up to zero is settled; otherwise its credit lines pay its
    debit lines, oldest first. Then a document's own credit lines pay its debit lines (a
    payment booked under the invoice's number), and every credit left pays the customer's
    oldest open invoices in its currency."""
    lines = sorted((_Line(e) for e in entries), key=lambda x: (x.entry.issued, x.entry.line))
    lettered: dict[tuple[str, str], list[_Line]] = defaultdict(list)
    documents: dict[tuple[str, str, str], list[_Line]] = defaultdict(list)
    accounts: dict[tuple[str, str], list[_Line]] = defaultdict(list)
    for x in lines:
        e = x.entry
        if e.lettering:
            lettered[(e.customer, e.lettering)].append(x)
        documents[(e.customer, e.currency, e.number)].append(x)
        accounts[(e.customer, e.currency)].append(x)
    for group in lettered.values():
        if sum(x.amount for x in group) == 0:  # fully lettered: everything settled
            for x in group:
                x.paid = x.amount
        else:
            _apply(group)
    for group in documents.values():
        _apply(group)
    for group in accounts.values():
        _apply(group)
    return _documents(documents)


def _documents(documents: dict[tuple[str, str, str], list[_Line]]) -> list[Item]:
    """One item per document: its debits (or, without any, its credits) as the amount, and
    what is left open of all its lines as its balance. A payment's number shared by several
    customers (one bank statement) is told apart by the customer; an invoice's is an error."""
    customers_of: dict[str, set[str]] = defaultdict(set)
    for customer, _currency, number in documents:
        customers_of[number].add(customer)
    items: list[Item] = []
    invoices: dict[str, int] = {}
    for (customer, currency, number), group in documents.items():
        first = min(x.entry.line for x in group)
        debits = sum(x.amount for x in group if x.amount > 0)
        amount = debits or sum(x.amount for x in group)
        shown = number
        if amount > 0:
            if number in invoices:
                raise Conflict(first, number, invoices[number])
            invoices[number] = first
        elif len(customers_of[number]) > 1:
            shown = f"{number} / {customer}"[:64]
        issued = min(x.entry.issued for x in group)
        open_ = sum(x.open for x in group)
        items.append(Item(first, customer, currency, shown, amount, issued, amount - open_))
    return sorted(items, key=lambda i: i.line)


def _apply(lines: list[_Line]) -> None:
    """Each credit's unused part (`open` below zero) paid on the open debits, oldest first;
    `lines` come oldest first."""
    debits = [x for x in lines if x.open > 0]
    for credit in (x for x in lines if x.open < 0):
        for debit in debits:
            used = min(-credit.open, debit.open)
            if used > 0:
                debit.paid += used
                credit.paid -= used
            if credit.open == 0:
                break
