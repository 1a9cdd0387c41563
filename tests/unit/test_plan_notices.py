"""A payment plan's three notices in every shipped language: each names the instalment it is
about (amount and date in the customer's locale) and lists the schedule where it says so;
nothing left of the template, no English in another language's text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.domain.money import Money
from bot.rate_files import load_law_book, load_reference_rates
from bot.rendering.templates import Templates
from bot.services.reminders.compose import Composer

COMPOSER = Composer(
    Settings(), Templates(PROJECT_ROOT / "templates"), load_law_book(load_reference_rates())
)
SCHEDULE = [
    (date(2026, 12, 1), Money(Decimal("450.00"), "EUR")),
    (date(2026, 12, 31), Money(Decimal("450.00"), "EUR")),
]
#: (language, country): the first instalment as each locale writes it
FIRST = {
    ("en", "IE"): ("€450.00", "1 December 2026"),
    ("fr", "FR"): ("450,00\xa0€", "1er décembre 2026"),
    ("de", "DE"): ("450,00\xa0€", "1. Dezember 2026"),
    ("es", "ES"): ("450,00\xa0€", "1 de diciembre de 2026"),
}


def customer(language: str, country: str) -> SimpleNamespace:
    return SimpleNamespace(
        id=1,
        name="Customer Ltd",
        contact_name="Alex Morgan",
        salutation="",
        language=language,
        country=country,
        email="alex@customer.example",
        address="",
    )


@pytest.mark.parametrize(("language", "country"), list(FIRST))
@pytest.mark.parametrize("kind", ["confirmed", "due", "missed"])
def test_each_notice_in_each_language(language: str, country: str, kind: str) -> None:
    amount, day = FIRST[(language, country)]
    due = SCHEDULE[0][0] if kind != "confirmed" else None
    draft = COMPOSER.plan_notice(customer(language, country), kind, SCHEDULE, due)
    assert draft.language == language and draft.wording == f"{language}/plan_{kind}"
    text = f"{draft.subject}\n{draft.text}"
    assert amount in text and day in text
    assert "{{" not in text and "{%" not in text
    if kind != "missed":  # the schedule, one line per instalment
        assert len([ln for ln in draft.text.splitlines() if ln.startswith("  - ")]) == 2
    if language != "en":
        assert "instalment" not in text.lower() and "payment plan" not in text.lower()
    assert draft.html.startswith("<!DOCTYPE html>") and "Alex Morgan" in draft.html
