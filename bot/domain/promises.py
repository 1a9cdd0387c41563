"""Promises to pay: how long one is trusted, when it is kept or broken, and how an amount
promised for an account is spread over its invoices.

The grace rule lives here once: a promise (or a plan's instalment) due on a date is trusted
until that date plus the policy's grace days, and broken only the day after.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.domain.states import PromiseState


def trusted_until(due: date, grace_days: int) -> date:
    """The last day a promise due on `due` still holds the reminders."""
    return due + timedelta(days=grace_days)


def grace_over(due: date, grace_days: int, today: date) -> bool:
    """True once the date and its grace have passed."""
    return trusted_until(due, grace_days) < today


def settled(promised: date, kept: bool, grace_days: int, today: date) -> PromiseState:
    """Where an open promise stands today: kept once what it promised has come in (`kept`: the
    invoice paid, or the promised part since the promise), broken once its date and grace have
    passed without, else still open."""
    if kept:
        return PromiseState.KEPT
    if grace_over(promised, grace_days, today):
        return PromiseState.BROKEN
    return PromiseState.OPEN


def spread(amount_minor: int, open_minor: Sequence[int]) -> list[int]:
    """An amount promised for an account, spread over its invoices in the order given (oldest
    first): each takes up to its open balance; invoices the amount does not reach get nothing
    and are left out of the result."""
    parts = []
    left = amount_minor
    for balance in open_minor:
        if left <= 0:
            break
        part = min(left, balance)
        parts.append(part)
        left -= part
    return parts
