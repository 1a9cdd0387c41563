"""Matching payments to invoices, without a database: what is applied, what is suggested, what
a person decides."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.bank_statement import StatementLine
from bot.domain.creditor_reference import creditor_reference
from bot.domain.payment_matching import (
    PAYER,
    PERSON,
    REFERENCE,
    MatchPolicy,
    OpenBook,
    OpenInvoice,
    Outcome,
    exact_combinations,
    match_line,
)
from bot.domain.reversals import Reversible, reversed_entry

DUE = date(2026, 10, 31)
POLICY = MatchPolicy()


def _invoice(number: str, customer: int, balance: str, currency: str = "EUR") -> OpenInvoice:
    return OpenInvoice(number, customer, currency, Decimal(balance), DUE)


INVOICES = [
    _invoice("FA-2026-0106", 1, "1200.00"),
    _invoice("FA-2026-0107", 1, "300.00"),
    _invoice("FA-2026-0108", 1, "450.50"),
    _invoice("FA-2026-0200", 2, "300.00"),
    _invoice("INV-77", 3, "80.00", "GBP"),
]
NAMES = {1: "Acme SARL", 2: "Bolt GmbH", 3: "Crane Ltd", 4: "Apex SA"}
BOOK = OpenBook(INVOICES, NAMES, {"DE89370400440532013000": frozenset({2})})


def _line(amount: str, text: str = "", **kw: object) -> StatementLine:
    fields: dict[str, object] = {
        "position": 1,
        "reference": "R1",
        "booked": date(2026, 12, 1),
        "amount": Decimal(amount),
        "currency": "EUR",
        "credit": True,
        "remittance": text,
    }
    fields.update(kw)
    return StatementLine(**fields)  # type: ignore[arg-type]


def test_an_rf_reference_with_the_open_balance_is_applied() -> None:
    found = match_line(_line("1200.00", "RF04 FA20 2601 06"), BOOK, POLICY)
    assert (found.outcome, found.rule, found.customer_id) == (Outcome.APPLIED, REFERENCE, 1)
    assert [(a.number, a.amount) for a in found.allocations] == [
        ("FA-2026-0106", Decimal("1200.00"))
    ]


def test_an_rf_reference_with_a_wrong_check_digit_is_not_a_reference() -> None:
    found = match_line(_line("1200.00", "RF05FA20260106"), BOOK, POLICY)
    assert found.outcome is Outcome.DECIDE  # the payer is unknown: never matched to a neighbour


def test_an_invoice_number_in_free_text_is_found_whatever_its_spacing() -> None:
    for text in ("Facture fa 2026 0106 merci", "FA2026-0106", "payment 2026-0106", "fa-2026-0106"):
        found = match_line(_line("1200.00", text), BOOK, POLICY)
        assert found.outcome is Outcome.APPLIED, text
        assert found.allocations[0].number == "FA-2026-0106"


def test_one_payment_for_three_invoices_is_applied_when_it_is_their_exact_sum() -> None:
    found = match_line(
        _line("1950.50", "FA-2026-0106, FA-2026-0107 and FA-2026-0108"), BOOK, POLICY
    )
    assert found.outcome is Outcome.APPLIED
    assert {a.number for a in found.allocations} == {"FA-2026-0106", "FA-2026-0107", "FA-2026-0108"}
    assert found.applied == Decimal("1950.50")


def test_several_invoices_named_and_another_sum_go_to_a_person() -> None:
    found = match_line(_line("1900.00", "FA-2026-0106 FA-2026-0107"), BOOK, POLICY)
    assert (found.outcome, found.rule) == (Outcome.DECIDE, PERSON)
    assert found.candidates == ("FA-2026-0106", "FA-2026-0107")


def test_a_part_payment_on_one_invoice_reduces_it() -> None:
    found = match_line(_line("200.00", "FA-2026-0106"), BOOK, POLICY)
    assert found.outcome is Outcome.APPLIED
    assert found.allocations[0].amount == Decimal("200.00")
    assert found.surplus == 0


def test_an_overpayment_closes_the_invoice_and_keeps_the_surplus() -> None:
    found = match_line(_line("1250.00", "FA-2026-0106"), BOOK, POLICY)
    assert found.outcome is Outcome.APPLIED
    assert found.allocations[0].amount == Decimal("1200.00")
    assert found.surplus == Decimal("50.00")


def test_another_currency_goes_to_a_person() -> None:
    found = match_line(_line("80.00", "INV-77"), BOOK, POLICY)  # paid in EUR, owed in GBP
    assert (found.outcome, found.customer_id) == (Outcome.DECIDE, 3)
    assert "GBP" in found.why


def test_a_known_iban_with_the_amount_of_one_invoice_is_a_suggestion() -> None:
    found = match_line(_line("300.00", "thanks", payer_iban="DE89370400440532013000"), BOOK, POLICY)
    assert (found.outcome, found.rule, found.customer_id, found.via) == (
        Outcome.SUGGESTED,
        PAYER,
        2,
        "iban",
    )
    assert found.allocations[0].number == "FA-2026-0200"


def test_the_policy_may_apply_the_payer_rule_by_itself() -> None:
    policy = MatchPolicy(auto_apply=frozenset({REFERENCE, PAYER}))
    found = match_line(_line("300.00", payer_iban="DE89370400440532013000"), BOOK, policy)
    assert found.outcome is Outcome.APPLIED


def test_a_close_name_with_an_exact_combination_is_a_suggestion() -> None:
    found = match_line(_line("750.50", "", payer_name="ACME S.A.R.L."), BOOK, POLICY)
    assert (found.outcome, found.customer_id, found.via) == (Outcome.SUGGESTED, 1, "name")
    assert {a.number for a in found.allocations} == {"FA-2026-0107", "FA-2026-0108"}


def test_a_name_close_to_two_customers_goes_to_a_person() -> None:
    book = OpenBook(INVOICES, {1: "Acme", 4: "Acme"}, {})
    found = match_line(_line("300.00", payer_name="ACME"), book, POLICY)
    assert found.outcome is Outcome.DECIDE
    assert "several customers" in found.why


def test_two_invoices_of_the_same_amount_are_two_candidates() -> None:
    book = OpenBook(
        [_invoice("A-1001", 9, "100.00"), _invoice("A-1002", 9, "100.00")], {9: "Dyson"}, {}
    )
    found = match_line(_line("100.00", payer_name="Dyson"), book, POLICY)
    assert found.outcome is Outcome.DECIDE
    assert found.candidates == ("A-1001", "A-1002")


def test_an_unknown_payer_goes_to_a_person() -> None:
    found = match_line(_line("12.34", "dinner", payer_name="Zebra Corp"), BOOK, POLICY)
    assert (found.outcome, found.why) == (Outcome.DECIDE, "unknown payer")


def test_debits_and_fees_are_ignored() -> None:
    assert match_line(_line("9.90", "FA-2026-0106", credit=False), BOOK, POLICY).outcome is (
        Outcome.IGNORED
    )


def test_a_number_that_could_be_two_invoices_goes_to_a_person() -> None:
    book = OpenBook([_invoice("FA-1234", 1, "10.00"), _invoice("FB-1234", 2, "10.00")], NAMES, {})
    found = match_line(_line("10.00", "1234"), book, POLICY)
    assert found.outcome is Outcome.DECIDE
    assert "FA-1234, FB-1234" in found.why


def test_a_reversal_finds_the_payment_it_undoes() -> None:
    paid = _line("300.00", "FA-2026-0200", end_to_end="E2E-1")
    other = _line("300.00", "FA-2026-0107", end_to_end="E2E-2")
    undo = _line("300.00", "FA-2026-0200", credit=False, reversal=True, end_to_end="E2E-1")
    assert reversed_entry(undo, [Reversible(7, paid), Reversible(8, other)]) == 7
    assert reversed_entry(undo, [Reversible(8, other)]) is None


def test_policy_from_the_policy_file() -> None:
    policy = MatchPolicy.from_dict({"auto_apply": ["reference", "payer"], "name_threshold": 85})
    assert policy.auto_apply == {REFERENCE, PAYER} and policy.name_threshold == 85


# --- properties ----------------------------------------------------------------------------

_numbers = st.from_regex(r"[A-Z]{2}-20[0-9]{2}-[0-9]{4}", fullmatch=True)
_amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@given(_numbers, _amounts, st.sampled_from(["", " ", "-", "/"]), st.booleans())
def test_any_spelling_of_an_invoice_number_pays_it(
    number: str, balance: Decimal, separator: str, lower: bool
) -> None:
    written = number.replace("-", separator)
    written = written.lower() if lower else written
    book = OpenBook([OpenInvoice(number, 1, "EUR", balance, DUE)], {1: "X"}, {})
    found = match_line(_line(str(balance), f"Payment {written} thank you"), book, POLICY)
    assert found.outcome is Outcome.APPLIED
    assert [a.number for a in found.allocations] == [number]


@given(_numbers, _amounts)
def test_its_rf_reference_pays_it(number: str, balance: Decimal) -> None:
    reference = creditor_reference(number)
    assert reference is not None
    book = OpenBook([OpenInvoice(number, 1, "EUR", balance, DUE)], {1: "X"}, {})
    assert match_line(_line(str(balance), reference), book, POLICY).outcome is Outcome.APPLIED


@given(
    st.lists(_amounts, min_size=1, max_size=6),
    _amounts,
    st.text(max_size=40),
    st.sampled_from(["Acme", "Zed", ""]),
)
def test_never_more_applied_than_received_nor_less_accounted_for(
    balances: list[Decimal], received: Decimal, text: str, name: str
) -> None:
    invoices = [OpenInvoice(f"FA-{1000 + n}", 1, "EUR", b, DUE) for n, b in enumerate(balances)]
    book = OpenBook(invoices, {1: "Acme"}, {})
    found = match_line(_line(str(received), text, payer_name=name), book, POLICY)
    if found.outcome in (Outcome.APPLIED, Outcome.SUGGESTED):
        assert found.applied + found.surplus == received
        owed = {i.number: i.balance for i in invoices}
        assert all(0 < a.amount <= owed[a.number] for a in found.allocations)
    else:
        assert not found.allocations


@given(st.lists(_amounts, min_size=1, max_size=8), st.data())
def test_a_combination_found_adds_up_exactly(balances: list[Decimal], data: st.DataObject) -> None:
    invoices = [OpenInvoice(f"N{n}", 1, "EUR", b, DUE) for n, b in enumerate(balances)]
    chosen = data.draw(st.lists(st.sampled_from(invoices), min_size=1, max_size=4, unique=True))
    total = sum((i.balance for i in chosen), Decimal(0))
    found = exact_combinations(invoices, total, 4)
    assert found  # the chosen set, or another one of the same sum
    assert all(sum((i.balance for i in combo), Decimal(0)) == total for combo in found)


def test_an_invoice_paid_by_an_earlier_line_is_not_paid_twice() -> None:
    book = OpenBook(INVOICES, NAMES, {})
    first = match_line(_line("1200.00", "FA-2026-0106"), book, POLICY)
    book.settle(first.allocations)
    again = match_line(_line("1200.00", "FA-2026-0106"), book, POLICY)
    assert again.outcome is Outcome.DECIDE
    assert again.why == "FA-2026-0106 is paid already"


def test_a_part_payment_leaves_the_rest_for_the_next_line() -> None:
    book = OpenBook(INVOICES, NAMES, {})
    book.settle(match_line(_line("200.00", "FA-2026-0106"), book, POLICY).allocations)
    rest = match_line(_line("1000.00", "FA-2026-0106"), book, POLICY)
    assert rest.outcome is Outcome.APPLIED and rest.surplus == 0
