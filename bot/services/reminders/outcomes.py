"""What deciding a customer gives: a suggestion, or no action with its reason, or a failure with
its cause; the morning's tally of them; who is held back and who failed, for the digest."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from jinja2 import TemplateNotFound

from bot.domain import invoice_list
from bot.domain.escalation import (
    Decision,
    NoAction,
    Reason,
)
from bot.domain.msgid import Said
from bot.domain.segments import MAIN
from bot.rendering.staff_text import Phrase, phrase
from bot.services.reminders.accounts_read import CustomerView as CustomerView
from bot.services.reminders.accounts_read import load_accounts as load_accounts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CustomerDecision:
    customer: CustomerView
    decision: Decision
    segment: str = MAIN  # whose policy decided


def cause_of(exc: Exception) -> Phrase | str:
    """An error in words for the person reading the digest or the card (the error's own text,
    when it is not one the app words)."""
    if isinstance(exc, TemplateNotFound):
        return phrase("the template {name} is missing", name=exc.name)
    if isinstance(exc, Said):
        return exc.phrase
    if isinstance(exc, LookupError):
        return str(exc.args[0]) if exc.args else type(exc).__name__  # KeyError quotes str()
    return f"{type(exc).__name__}: {exc}"


def failure(customer: CustomerView, exc: Exception) -> CustomerDecision:
    """One customer's error as that customer's "no suggestion, because …": the others go on."""
    cause = cause_of(exc)
    log.warning("no suggestion for customer %s: %s", customer.external_id, cause, exc_info=exc)
    return CustomerDecision(
        customer, NoAction(Reason.FAILED, phrase("no suggestion, because {cause}", cause=cause))
    )


@dataclass(frozen=True, slots=True)
class Suggested:
    """A reminder a morning stored, as its run reports it (its texts are written later)."""

    numbers: tuple[str, ...]  # the invoices it chases, in order
    id: int
    customer_id: int
    stage: str
    channel: str
    language: str
    wording: str
    owner: str
    auto_at: datetime | None
    send_after: datetime | None
    stage_note: str
    segment: str

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id",
        "customer_id",
        "stage",
        "channel",
        "language",
        "wording",
        "owner",
        "auto_at",
        "send_after",
        "stage_note",
        "segment",
    )

    @property
    def invoice_numbers(self) -> str:
        return invoice_list.joined(self.numbers)


@dataclass(frozen=True)
class SuggestionRun:
    run_date: date
    created: list[Suggested]  # empty unless the run keeps its details
    decisions: list[CustomerDecision]  # likewise
    held_back: dict[str, int] = field(default_factory=dict)  # reason -> customers, most first
    failed: list[tuple[str, Phrase]] = field(default_factory=list)  # (customer name, cause)


def held_back(decisions: Iterable[CustomerDecision]) -> Counter[str]:
    """How many customers with something late get no reminder today, by reason."""
    return Counter(
        d.decision.reason.value
        for d in decisions
        if isinstance(d.decision, NoAction) and d.decision.reason is not Reason.NOTHING_DUE
    )


def failures(decisions: Iterable[CustomerDecision]) -> list[tuple[str, Phrase]]:
    """(customer name, cause) of each customer whose suggestion failed."""
    return [
        (d.customer.name, d.decision.detail)
        for d in decisions
        if isinstance(d.decision, NoAction) and d.decision.reason is Reason.FAILED
    ]
