"""The states of reminders, deliveries, promises, plans, bank lines and invoices, and the only
moves between them.

The values are the strings stored in the database, so these enums change nothing on disk (the
columns are typed with them: `models.EnumText`). A service changes a state only through
`transition` (one row it holds) or `move` (a conditional update: `… WHERE state IN
move.sources`), so a move not listed here cannot happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar


class ReminderState(StrEnum):
    SUGGESTED = "suggested"  # waiting for a person
    APPROVED = "approved"  # queued for the sender, or a task (call, letter) to do
    SKIPPED = "skipped"
    EXPIRED = "expired"  # undecided when the next day's suggestions came
    CANCELLED = "cancelled"  # stopped before it left: paid in full, or overtaken since
    SENT = "sent"
    DONE = "done"  # a call task logged


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # after the last attempt, shown in the digest
    CANCELLED = "cancelled"


class PromiseState(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    REPLACED = "replaced"  # a newer promise for the same invoice


class PlanState(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    MISSED = "missed"


class BankLineState(StrEnum):
    """A bank statement's line: set by matching when imported, then moved by a person (or
    by a reversal)."""

    APPLIED = "applied"  # its money is on the invoices it paid
    SUGGESTED = "suggested"  # the payer rule proposes invoices: a person confirms
    TO_DECIDE = "to_decide"  # a person decides
    IGNORED = "ignored"  # money out, a fee, or a reversal that found what it undoes
    NOT_PAYMENT = "not_payment"  # a person said it is not a customer's payment
    REVERSED = "reversed"  # the bank took it back: what it applied is undone


class InvoiceStatus(StrEnum):
    """As the accounting export says (an import's mapping tells which text means which); only
    open invoices are chased. Set by imports, never moved by Relance."""

    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    WRITTEN_OFF = "written_off"


#: An invoice the accounting tool closed without payment: no longer owed.
CLOSED = (InvoiceStatus.VOID, InvoiceStatus.WRITTEN_OFF)


State = ReminderState | OutboxState | PromiseState | PlanState | BankLineState
S = TypeVar("S", ReminderState, OutboxState, PromiseState, PlanState, BankLineState)

_R, _O, _P, _L, _B = ReminderState, OutboxState, PromiseState, PlanState, BankLineState

#: Every move a service may make, and no other.
ALLOWED: frozenset[tuple[State, State]] = frozenset(
    {
        (_R.SUGGESTED, _R.APPROVED),  # approve, edit and approve, approve all
        (_R.SUGGESTED, _R.SKIPPED),
        (_R.SUGGESTED, _R.EXPIRED),
        (_R.SUGGESTED, _R.CANCELLED),  # paid in full meanwhile
        (_R.APPROVED, _R.CANCELLED),
        (_R.SUGGESTED, _R.DONE),  # a call logged on its task
        (_R.APPROVED, _R.DONE),
        (_R.APPROVED, _R.SENT),
        (_O.PENDING, _O.SENT),
        (_O.PENDING, _O.FAILED),
        (_O.PENDING, _O.CANCELLED),
        (_P.OPEN, _P.KEPT),
        (_P.OPEN, _P.BROKEN),
        (_P.OPEN, _P.REPLACED),
        (_L.ACTIVE, _L.COMPLETED),
        (_L.ACTIVE, _L.MISSED),
        (_B.SUGGESTED, _B.APPLIED),  # a person applies it
        (_B.TO_DECIDE, _B.APPLIED),
        (_B.SUGGESTED, _B.NOT_PAYMENT),
        (_B.TO_DECIDE, _B.NOT_PAYMENT),
        (_B.APPLIED, _B.REVERSED),  # a reversal undoes what it applied
        (_B.SUGGESTED, _B.REVERSED),
        (_B.TO_DECIDE, _B.REVERSED),
    }
)


class ForbiddenTransition(ValueError):
    """A move the table above does not list: a bug, never a user's mistake."""


def allowed(current: State, target: State) -> bool:
    # the enums' values overlap ("sent", "cancelled"): a move never crosses from one to another
    return type(current) is type(target) and (current, target) in ALLOWED


def transition(current: str, target: S) -> S:
    """The new state of one row, after checking the move is allowed."""
    source = type(target)(current)
    if not allowed(source, target):
        raise ForbiddenTransition(f"{type(target).__name__}: {source} -> {target}")
    return target


@dataclass(frozen=True)
class Move(Generic[S]):
    """A conditional update: the rows in one of `sources` become `target`."""

    sources: tuple[S, ...]
    target: S


def move(target: S, *, only_from: S | None = None) -> Move[S]:
    """Where a conditional update may take rows from to reach `target` (all allowed sources,
    or the one named by `only_from`, which must itself be allowed)."""
    kind = type(target)
    sources = sorted(kind(s) for s, t in ALLOWED if t is target and allowed(s, t))
    if only_from is not None:
        if only_from not in sources:
            raise ForbiddenTransition(f"{kind.__name__}: {only_from} -> {target}")
        sources = [only_from]
    return Move(tuple(sources), target)
