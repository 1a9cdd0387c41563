"""ISO 11649 references: the worked example of the issue, and what the standard refuses."""

from bot.domain.creditor_reference import body_of, creditor_reference, is_valid, printed


def test_an_invoice_number_gives_the_reference_anyone_can_recompute() -> None:
    assert creditor_reference("FA-2026-0106") == "RF04FA20260106"
    assert printed("RF04FA20260106") == "RF04 FA20 2601 06"


def test_the_standards_own_example_validates() -> None:
    # ISO 11649's example reference, as published with the standard (also in EPC guidance)
    assert is_valid("RF18 5390 0754 7034")
    assert creditor_reference("539007547034") == "RF18539007547034"


def test_a_typo_is_refused_not_matched() -> None:
    assert not is_valid("RF04FA20260107")
    assert body_of("RF04FA20260107") is None
    assert body_of("rf04 fa20 2601 06") == "FA20260106"


def test_no_reference_rather_than_a_truncated_one() -> None:
    assert creditor_reference("---") is None
    assert creditor_reference("X" * 22) is None
    assert creditor_reference("X" * 21) is not None
