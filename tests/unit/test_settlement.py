"""A ledger's entries read as open items: lettered groups, partial lettering, payments on
account and credit notes applied to the oldest invoices (bot/domain/settlement.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.settlement import Conflict, Entry, settle


def entry(line: int, number: str, amount: int, day: int, letter: str = "", who: str = "C") -> Entry:
    return Entry(line, who, "EUR", number, amount, date(2026, 10, day), letter)


def open_items(entries: list[Entry]) -> dict[str, int]:
    return {i.number: i.open for i in settle(entries)}


def test_a_fully_lettered_group_is_settled() -> None:
    items = open_items([entry(1, "F1", 1000, 1, "AA"), entry(2, "P1", -1000, 9, "AA")])
    assert items == {"F1": 0, "P1": 0}


def test_a_partly_lettered_payment_pays_its_own_invoice_first() -> None:
    items = open_items(
        [
            entry(1, "F0", 500, 1),  # older, but not lettered with the payment
            entry(2, "F1", 1200, 2, "BB"),
            entry(3, "P1", -800, 9, "BB"),
        ]
    )
    assert items == {"F0": 500, "F1": 400, "P1": 0}


def test_unlettered_payments_and_credit_notes_pay_the_oldest_invoices() -> None:
    items = open_items(
        [
            entry(1, "F2", 300, 5),
            entry(2, "F1", 1000, 1),
            entry(3, "AV1", -120, 6),
            entry(4, "P1", -1000, 8),
        ]
    )
    assert items == {"F1": 0, "F2": 180, "AV1": 0, "P1": 0}


def test_a_credit_beyond_every_invoice_stays_a_credit() -> None:
    items = open_items([entry(1, "F1", 100, 1), entry(2, "P1", -250, 2)])
    assert items == {"F1": 0, "P1": -150}


def test_credits_stay_with_their_customer() -> None:
    items = open_items([entry(1, "F1", 100, 1, who="A"), entry(2, "P1", -100, 2, who="B")])
    assert items == {"F1": 100, "P1": -100}


def test_a_payment_booked_under_the_invoice_number_pays_it() -> None:
    assert open_items([entry(1, "F1", 900, 1), entry(2, "F1", -400, 7)]) == {"F1": 500}


def test_one_payment_may_letter_several_invoices_under_several_codes() -> None:
    items = open_items(
        [
            entry(1, "F1", 1000, 1, "AA"),
            entry(2, "F2", 500, 2, "AB"),
            entry(3, "VIR", -1000, 9, "AA"),
            entry(4, "VIR", -300, 9, "AB"),  # F2 partly paid by the same transfer
        ]
    )
    assert items == {"F1": 0, "F2": 200, "VIR": 0}


def test_one_bank_statement_paying_two_customers_keeps_both_payments() -> None:
    items = settle(
        [
            entry(1, "F1", 100, 1, who="A"),
            entry(2, "F2", 300, 1, who="B"),
            entry(3, "RELEVE-12", -100, 5, who="A"),
            entry(4, "RELEVE-12", -120, 5, who="B"),
        ]
    )
    assert {(i.number, i.open) for i in items} == {
        ("F1", 0),
        ("F2", 180),
        ("RELEVE-12 / A", 0),
        ("RELEVE-12 / B", 0),
    }


def test_one_invoice_number_under_two_customers_is_refused_with_its_line() -> None:
    with pytest.raises(Conflict) as raised:
        settle([entry(1, "F1", 100, 1, who="A"), entry(5, "F1", 100, 1, who="B")])
    assert raised.value.line == 5
