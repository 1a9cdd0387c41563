"""The moves between states: the ones the services make are allowed, every other one raises."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.states import (
    ALLOWED,
    BankLineState,
    ForbiddenTransition,
    OutboxState,
    PlanState,
    PromiseState,
    ReminderState,
    move,
    transition,
)

R, OB, P, L, B = ReminderState, OutboxState, PromiseState, PlanState, BankLineState

#: What each service does, read from the code: (service, from, to).
PERFORMED = [
    ("decisions.approve / approve_edited / approve_stage", R.SUGGESTED, R.APPROVED),
    ("decisions.skip", R.SUGGESTED, R.SKIPPED),
    ("suggestions: yesterday's undecided", R.SUGGESTED, R.EXPIRED),
    ("payments: paid in full", R.SUGGESTED, R.CANCELLED),
    ("payments: paid in full", R.APPROVED, R.CANCELLED),
    ("calls: the task logged", R.SUGGESTED, R.DONE),
    ("calls: the task logged", R.APPROVED, R.DONE),
    ("outbox: sent", R.APPROVED, R.SENT),
    ("outbox: sent", OB.PENDING, OB.SENT),
    ("outbox: last attempt failed", OB.PENDING, OB.FAILED),
    ("payments: paid in full", OB.PENDING, OB.CANCELLED),
    ("promises: invoice paid", P.OPEN, P.KEPT),
    ("promises: date and grace passed", P.OPEN, P.BROKEN),
    ("promises: a newer promise", P.OPEN, P.REPLACED),
    ("plans: all covered", L.ACTIVE, L.COMPLETED),
    ("plans: instalment missed", L.ACTIVE, L.MISSED),
    ("cash.apply_line: a person applies a suggestion", B.SUGGESTED, B.APPLIED),
    ("cash.apply_line: a person applies a line to decide", B.TO_DECIDE, B.APPLIED),
    ("cash.not_a_payment", B.SUGGESTED, B.NOT_PAYMENT),
    ("cash.not_a_payment", B.TO_DECIDE, B.NOT_PAYMENT),
    ("cash: a reversal undoes an applied payment", B.APPLIED, B.REVERSED),
    ("cash: a reversal closes a suggestion", B.SUGGESTED, B.REVERSED),
    ("cash: a reversal closes a line to decide", B.TO_DECIDE, B.REVERSED),
]


def test_the_stored_strings_do_not_change() -> None:
    assert [s.value for s in R] == [
        "suggested",
        "approved",
        "skipped",
        "expired",
        "cancelled",
        "sent",
        "done",
    ]
    assert [s.value for s in OB] == ["pending", "sent", "failed", "cancelled"]
    assert [s.value for s in P] == ["open", "kept", "broken", "replaced"]
    assert [s.value for s in L] == ["active", "completed", "missed"]
    assert [s.value for s in B] == [
        "applied",
        "suggested",
        "to_decide",
        "ignored",
        "not_payment",
        "reversed",
    ]


@pytest.mark.parametrize(("why", "source", "target"), PERFORMED)
def test_every_move_the_services_make_is_allowed(why: str, source, target) -> None:
    assert transition(str(source), target) is target, why


def test_the_table_holds_nothing_the_services_do_not_do() -> None:
    assert set(ALLOWED) == {(s, t) for _why, s, t in PERFORMED}


@pytest.mark.parametrize("kind", [R, OB, P, L, B])
def test_every_other_move_raises(kind) -> None:
    performed = {(s, t) for _why, s, t in PERFORMED}
    for source, target in itertools.product(kind, kind):
        if (source, target) in performed:
            continue
        with pytest.raises(ForbiddenTransition):
            transition(source.value, target)


def test_a_sent_reminder_is_never_cancelled_nor_sent_again() -> None:
    with pytest.raises(ForbiddenTransition):
        transition("sent", R.CANCELLED)
    with pytest.raises(ForbiddenTransition):
        transition("sent", R.SENT)


def test_a_conditional_update_takes_only_allowed_sources() -> None:
    assert move(R.CANCELLED).sources == ("approved", "suggested")
    assert move(R.APPROVED, only_from=R.SUGGESTED).sources == ("suggested",)
    assert move(OB.CANCELLED).sources == ("pending",)
    with pytest.raises(ForbiddenTransition):
        move(R.APPROVED, only_from=R.SKIPPED)


def test_an_unknown_stored_state_is_an_error() -> None:
    with pytest.raises(ValueError):
        transition("lost", R.SENT)
