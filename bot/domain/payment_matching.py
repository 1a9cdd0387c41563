"""Which invoices a payment received pays: conservative by design.

1. *A reference*: a valid ISO 11649 RF reference or an invoice number in the remittance
   information (spaces, dashes, case and a missing prefix tolerated), with an amount equal to
   the open balance of the invoice or the exact sum of the invoices named: applied. One invoice
   named and less paid: a part payment, applied. One invoice named and more paid: it is closed
   and the surplus kept as unapplied credit, shown to a person.
2. *The payer*: an IBAN seen before for one customer, or a name close to one customer's name,
   with an amount equal to one open invoice or to one exact combination of that customer's open
   invoices (a bounded search): a suggestion, applied only when the policy says so.
3. Anything else (two candidates, the amount off, another currency, an unknown payer): a
   person decides. Nothing is applied on a guess.

Debits and fees are not payments: ignored. Money is Decimal; sums are compared in minor units.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import combinations

from rapidfuzz import fuzz, process

from bot.domain.bank_statement import StatementLine
from bot.domain.creditor_reference import body_of, reference_body
from bot.domain.payer_names import name_key

#: Rules by number, as the policy names them.
REFERENCE, PAYER, PERSON = 1, 2, 3
RULE_NAMES = {"reference": REFERENCE, "payer": PAYER}


@dataclass(frozen=True)
class MatchPolicy:
    """The finance lead's switches: which rules apply by themselves (only the reference rule
    by default), how close a payer's name must be to a customer's (rapidfuzz's 0-100 token
    ratio), and how far the search for a combination of invoices goes."""

    auto_apply: frozenset[int] = frozenset({REFERENCE})
    name_threshold: float = 90.0
    combination_invoices: int = 12  # a customer's oldest open invoices searched
    combination_size: int = 4  # at most this many invoices in one payment

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> MatchPolicy:
        """The `[cash]` table of the policy file."""
        unknown = set(data) - {"auto_apply", "name_threshold", "combination_invoices"}
        if unknown:
            raise ValueError(f"[cash]: unknown key(s) {', '.join(sorted(unknown))}")
        names = data.get("auto_apply", ["reference"])
        if not isinstance(names, list) or set(map(str, names)) - set(RULE_NAMES):
            raise ValueError("[cash] auto_apply lists rules among: reference, payer")
        threshold = float(str(data.get("name_threshold", 90)))
        if not 50 <= threshold <= 100:
            raise ValueError("[cash] name_threshold is between 50 and 100")
        return cls(
            frozenset(RULE_NAMES[str(n)] for n in names),
            threshold,
            int(str(data.get("combination_invoices", 12))),
        )


class Outcome(StrEnum):
    APPLIED = "applied"
    SUGGESTED = "suggested"  # the payer rule's find, waiting for a person
    DECIDE = "decide"  # a person decides
    IGNORED = "ignored"  # a debit or a fee: not a customer's payment


@dataclass(frozen=True)
class OpenInvoice:
    number: str
    customer_id: int
    currency: str
    balance: Decimal  # what is still owed, > 0
    due: date


@dataclass(frozen=True)
class Allocation:
    number: str
    amount: Decimal


@dataclass(frozen=True)
class Match:
    outcome: Outcome
    rule: int  # REFERENCE, PAYER, PERSON; 0 when ignored
    why: str
    customer_id: int | None = None
    allocations: tuple[Allocation, ...] = ()
    surplus: Decimal = Decimal(0)  # received beyond what it pays: unapplied credit
    candidates: tuple[str, ...] = ()  # invoice numbers a person may choose among
    via: str = ""  # how the payer was known: "iban" or "name"

    @property
    def applied(self) -> Decimal:
        return sum((a.amount for a in self.allocations), Decimal(0))


_TOKEN = re.compile(r"[A-Za-z0-9]+")
_WINDOW = 6  # tokens joined to read "RF04 FA20 2601 06" or "FA 2026 0106"


def _tail(body: str) -> str:
    """An invoice number's body without its letter prefix ("FA20260106" → "20260106")."""
    return body.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class OpenBook:
    """The open invoices, the customers' names and the payer IBANs learnt, indexed once for
    all the lines of a statement; `settle` takes what a line paid off, so the next line of
    the same file sees what is still owed."""

    def __init__(
        self,
        invoices: Iterable[OpenInvoice],
        customer_names: Mapping[int, str],
        payer_ibans: Mapping[str, frozenset[int]],
    ) -> None:
        self.by_number: dict[str, OpenInvoice] = {}
        self.by_body: dict[str, list[str]] = defaultdict(list)
        self.by_tail: dict[str, list[str]] = defaultdict(list)
        owed: dict[int, list[OpenInvoice]] = defaultdict(list)
        for invoice in invoices:
            self.by_number[invoice.number] = invoice
            body = reference_body(invoice.number)
            self.by_body[body].append(invoice.number)
            tail = _tail(body)
            if tail != body and len(tail) >= 4:
                self.by_tail[tail].append(invoice.number)
            owed[invoice.customer_id].append(invoice)
        self._customers = {
            cid: [i.number for i in sorted(listed, key=lambda i: (i.due, i.number))]
            for cid, listed in owed.items()
        }
        # two parallel lists: rapidfuzz scans a list a third faster than a mapping
        self._name_ids = list(customer_names)
        self._names = [name_key(customer_names[cid]) for cid in self._name_ids]
        self.payer_ibans = payer_ibans
        self._keys = self.by_body.keys() | self.by_tail.keys()
        self._close: dict[str, set[int]] = {}  # a payer's name → the customers close to it

    def _open(self, numbers: Iterable[str]) -> list[OpenInvoice]:
        return [self.by_number[n] for n in numbers if n in self.by_number]

    def owed_by(self, customer_id: int) -> list[OpenInvoice]:
        """The customer's open invoices, the oldest due first."""
        return self._open(self._customers.get(customer_id, ()))

    def settle(self, allocations: Iterable[Allocation]) -> None:
        """What a line applied is paid: an invoice paid in full is no longer open."""
        for allocation in allocations:
            invoice = self.by_number.get(allocation.number)
            if invoice is None:
                continue
            left = invoice.balance - allocation.amount
            if left > 0:
                self.by_number[invoice.number] = replace(invoice, balance=left)
            else:
                del self.by_number[invoice.number]

    def named(self, text: str) -> tuple[list[OpenInvoice], list[str]]:
        """The open invoices the remittance text names (by RF reference or number), and what
        it names ambiguously or that is not open (for the person who decides)."""
        tokens = [t.upper() for t in _TOKEN.findall(text)]
        found: dict[str, OpenInvoice] = {}
        unclear: list[str] = []
        i = 0
        while i < len(tokens):
            for j in range(min(len(tokens), i + _WINDOW), i, -1):
                key = "".join(tokens[i:j])
                hits, note = self._lookup(key)
                if hits or note:
                    found.update((h.number, h) for h in hits)
                    if note:
                        unclear.append(note)
                    i = j
                    break
            else:
                i += 1
        return list(found.values()), unclear

    def _lookup(self, key: str) -> tuple[list[OpenInvoice], str]:
        if key not in self._keys and not key.startswith("RF"):
            return [], ""
        if key.startswith("RF") and len(key) > 4 and key[2:4].isdigit():
            body = body_of(key)
            if body is not None:
                hits = self._open(self.by_body.get(body, ()))
                if len(hits) == 1:
                    return hits, ""
                return [], f"reference {key} names {'several' if hits else 'no open'} invoice(s)"
        if not any(c.isdigit() for c in key) or len(key) < 2:
            return [], ""
        hits = self._open(self.by_body.get(key, ()))
        if not hits and len(key) >= 4:  # a number without its prefix: long enough to mean it
            hits = self._open(self.by_tail.get(key, ()))
        if not hits and key in self.by_body:  # paid by an earlier line: paid twice?
            return [], f"{', '.join(self.by_body[key])} is paid already"
        if len(hits) > 1:
            return [], f"{key} could be {', '.join(sorted(h.number for h in hits))}"
        return hits, ""

    def payer(self, line: StatementLine, threshold: float) -> tuple[set[int], str]:
        """The customers the payer may be: by an IBAN learnt before, else by a close name."""
        if line.payer_iban and line.payer_iban in self.payer_ibans:
            return set(self.payer_ibans[line.payer_iban]), "iban"
        key = name_key(line.payer_name)
        if not key or not self._names:
            return set(), ""
        if key not in self._close:  # a payer paying several invoices is searched once
            close = process.extract(
                key, self._names, scorer=fuzz.ratio, processor=None, score_cutoff=threshold, limit=2
            )
            self._close[key] = {self._name_ids[at] for _name, _score, at in close}
        return set(self._close[key]), "name"


def _minor(amount: Decimal) -> int:
    return int(amount.scaleb(4).to_integral_value())  # exact for every ISO 4217 currency


def exact_combinations(
    invoices: Sequence[OpenInvoice], amount: Decimal, max_size: int, wanted: int = 2
) -> list[tuple[OpenInvoice, ...]]:
    """Up to `wanted` sets of at most `max_size` invoices whose balances add up to `amount`
    exactly, the fewest invoices first."""
    target = _minor(amount)
    minors = [(_minor(i.balance), i) for i in invoices]
    found: list[tuple[OpenInvoice, ...]] = []
    for size in range(1, min(max_size, len(minors)) + 1):
        for combo in combinations(minors, size):
            if sum(m for m, _ in combo) == target:
                found.append(tuple(i for _, i in combo))
                if len(found) >= wanted:
                    return found
    return found


def _outcome(rule: int, policy: MatchPolicy) -> Outcome:
    return Outcome.APPLIED if rule in policy.auto_apply else Outcome.SUGGESTED


def _by_reference(
    line: StatementLine, named: list[OpenInvoice], policy: MatchPolicy
) -> Match | None:
    customers = {i.customer_id for i in named}
    numbers = tuple(sorted(i.number for i in named))
    currencies = {i.currency for i in named}
    if currencies != {line.currency}:
        return Match(
            Outcome.DECIDE,
            PERSON,
            f"paid in {line.currency}, the invoices named are in {', '.join(sorted(currencies))}",
            customers.pop() if len(customers) == 1 else None,
            candidates=numbers,
        )
    if len(customers) > 1:
        return Match(
            Outcome.DECIDE, PERSON, "names invoices of several customers", candidates=numbers
        )
    customer = customers.pop()
    total = sum((i.balance for i in named), Decimal(0))
    full = tuple(Allocation(i.number, i.balance) for i in sorted(named, key=lambda i: i.number))
    if line.amount == total:
        return Match(_outcome(REFERENCE, policy), REFERENCE, "reference", customer, full)
    if len(named) == 1 and line.amount < total:
        part = (Allocation(named[0].number, line.amount),)
        return Match(_outcome(REFERENCE, policy), REFERENCE, "part payment", customer, part)
    if len(named) == 1:
        return Match(
            _outcome(REFERENCE, policy),
            REFERENCE,
            "overpaid: the surplus is unapplied credit",
            customer,
            full,
            surplus=line.amount - total,
        )
    return Match(
        Outcome.DECIDE,
        PERSON,
        f"the amount is not the {len(named)} invoices' open total",
        customer,
        candidates=numbers,
    )


def _by_payer(line: StatementLine, book: OpenBook, policy: MatchPolicy) -> Match:
    customers, via = book.payer(line, policy.name_threshold)
    if not customers:
        return Match(Outcome.DECIDE, PERSON, "unknown payer")
    if len(customers) > 1:
        listed = {i.number for c in customers for i in book.owed_by(c)}
        return Match(
            Outcome.DECIDE,
            PERSON,
            f"the payer's {'IBAN' if via == 'iban' else 'name'} fits several customers",
            candidates=tuple(sorted(listed)),
            via=via,
        )
    customer = customers.pop()
    owed = book.owed_by(customer)
    same = [i for i in owed if i.currency == line.currency]
    if not same:
        why = "nothing open" if not owed else f"nothing open in {line.currency}"
        return Match(
            Outcome.DECIDE,
            PERSON,
            f"the payer is known but has {why}",
            customer,
            candidates=tuple(i.number for i in owed),
            via=via,
        )
    found = exact_combinations(
        same[: policy.combination_invoices], line.amount, policy.combination_size
    )
    if len(found) != 1:
        why = "no" if not found else "more than one"
        return Match(
            Outcome.DECIDE,
            PERSON,
            f"{why} combination of the payer's open invoices makes the amount",
            customer,
            candidates=tuple(i.number for i in same),
            via=via,
        )
    paid = tuple(Allocation(i.number, i.balance) for i in sorted(found[0], key=lambda i: i.number))
    return Match(_outcome(PAYER, policy), PAYER, f"payer known by {via}", customer, paid, via=via)


def match_line(line: StatementLine, book: OpenBook, policy: MatchPolicy) -> Match:
    """What to do with one statement line (never a reversal: see `reversed_entry`)."""
    if not line.is_payment_in:
        return Match(Outcome.IGNORED, 0, "a debit or a fee, not a customer's payment")
    if line.amount <= 0:
        return Match(Outcome.IGNORED, 0, "nothing received")
    named, unclear = book.named(line.remittance)
    if named and not unclear:
        found = _by_reference(line, named, policy)
        if found is not None:
            return found
    if unclear or named:
        return Match(
            Outcome.DECIDE,
            PERSON,
            "; ".join(unclear) or "unclear reference",
            candidates=tuple(sorted(i.number for i in named)),
        )
    return _by_payer(line, book, policy)


def allocate(
    amount: Decimal, invoices: Sequence[OpenInvoice]
) -> tuple[tuple[Allocation, ...], Decimal]:
    """A person chose these invoices for a payment: each paid in turn, the oldest due first,
    as far as the money goes; what is left over is unapplied credit."""
    left = amount
    paid: list[Allocation] = []
    for invoice in sorted(invoices, key=lambda i: (i.due, i.number)):
        if left <= 0:
            break
        part = min(left, invoice.balance)
        paid.append(Allocation(invoice.number, part))
        left -= part
    return tuple(paid), left
