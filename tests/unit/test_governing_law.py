"""Which law a reminder applies: the customer's governing law, else the company's country."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.channels.letter import Letter
from bot.config import PROJECT_ROOT, Settings, load_policy
from bot.domain.escalation import OpenItem, Suggestion
from bot.rate_files import load_law_book, load_reference_rates
from bot.rendering.templates import Templates
from bot.services.reminders.compose import Composer

POLICY = load_policy()
COMPOSER = Composer(
    Settings(country="FR"),
    Templates(PROJECT_ROOT / "templates"),
    load_law_book(load_reference_rates()),
)


@dataclass
class Customer:
    name: str = "Kilkenny Tools Ltd"
    contact_name: str = "Aoife Byrne"
    language: str = "en"
    country: str = "IE"
    address: str = ""
    governing_law: str = ""
    salutation: str = ""
    external_id: str = "C-7"


def final_context(customer: Customer) -> dict:
    items = (OpenItem("INV-7", "GBP", 3_713_290, date(2025, 1, 31)),)
    suggestion = Suggestion(POLICY.stage("final"), items, 30, datetime(2025, 3, 3, tzinfo=UTC), "")
    return COMPOSER.context(customer, suggestion, date(2025, 3, 2))


def test_the_company_law_applies_unless_the_customer_has_one() -> None:
    french = final_context(Customer())  # a French company's contract: French law, euro sums
    assert french["charges_law"] == "French Commercial Code, Articles L441-10 and D441-5"
    assert french["charges"][0]["compensation"] == ""  # €40 is not added to a pound debt
    assert any("not added to a debt in GBP" in w for w in french["charges_warnings"])
    # 37,132.90 + 37,132.90 × 13.15 % × 30 / 365 (401.34)
    assert french["total_with_charges"] == "£37,534.24"

    british = final_context(Customer(governing_law="GB"))
    assert british["charges_law"].startswith("Late Payment of Commercial Debts (Interest) Act")
    assert british["charges"][0]["compensation"] == "£100.00"
    assert not british["charges_warnings"]


def test_no_statutory_regime_means_no_charges() -> None:
    context = final_context(Customer(governing_law="US"))
    assert context["charges"] == [] and context["charges_law"] == ""


def test_a_pound_debt_under_french_law_says_why_the_compensation_column_is_empty() -> None:
    """The letter in English for a debt in pounds under French law: D441-5's €40 is not added
    to it, and the letter says so instead of leaving the column blank without a word."""
    customer = Customer()
    letter = Letter.from_json(
        COMPOSER.letter(customer, "final", final_context(customer), date(2025, 3, 2))
    )
    assert "No fixed recovery compensation is claimed on INV-7" in letter.body
    assert "Interest continues to run at the statutory rate until payment" in letter.body
    assert letter.mention == "By registered post"
    british = Customer(governing_law="GB")
    with_sum = Letter.from_json(
        COMPOSER.letter(british, "final", final_context(british), date(2025, 3, 2))
    )
    assert "No fixed recovery compensation" not in with_sum.body  # £100 is claimed there
