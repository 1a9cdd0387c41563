"""Words a customer reads that must stay true: the first of the month in French, a repeated
stage that counts on, a final notice that says "unanswered" only when it was, and a deadline
that names its figure. In every shipped language."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.domain.escalation import Suggestion, decide
from bot.domain.money import Money
from bot.rate_files import load_law_book, load_reference_rates
from bot.rendering.locale import long_date
from bot.rendering.templates import Templates
from bot.services.reminders.compose import Composer
from tests.unit.test_escalation import NOW, POLICY, TODAY, account, item, sent
from tests.unit.test_governing_law import Customer
from tests.unit.test_templates import TEMPLATES, context

COMPOSER = Composer(
    Settings(), Templates(PROJECT_ROOT / "templates"), load_law_book(load_reference_rates())
)

LANGUAGES = ("en", "fr", "de", "es")


@pytest.mark.parametrize(
    ("day", "locale", "written"),
    [
        (date(2026, 9, 1), "fr_FR", "1er septembre 2026"),
        (date(2026, 9, 1), "fr_BE", "1er septembre 2026"),
        (date(2026, 9, 11), "fr_FR", "11 septembre 2026"),
        (date(2026, 9, 1), "de_DE", "1. September 2026"),
        (date(2026, 9, 1), "en_GB", "1 September 2026"),
    ],
)
def test_french_writes_the_first_of_the_month_as_an_ordinal(
    day: date, locale: str, written: str
) -> None:
    assert long_date(day, locale) == written


def test_a_repeated_stage_counts_on_and_says_whether_they_answered() -> None:
    history = (sent(25, "friendly"), sent(13, "firm", "en/firm"))
    decision = decide(account(item(days_late=28), contacts=history), POLICY, NOW)
    assert isinstance(decision, Suggestion) and decision.stage.name == "firm"
    assert decision.reminder_number == 3 and not decision.answered
    answered = account(item(days_late=28), contacts=history, last_answer=TODAY - timedelta(3))
    again = decide(answered, POLICY, NOW)
    assert isinstance(again, Suggestion) and again.answered
    before = account(item(days_late=28), contacts=history, last_answer=TODAY - timedelta(40))
    old = decide(before, POLICY, NOW)  # an answer before this episode began does not count
    assert isinstance(old, Suggestion) and not old.answered


@pytest.mark.parametrize(
    ("language", "third", "fifth"),
    [
        ("en", "Third reminder:", "Fifth reminder:"),
        ("fr", "3e relance :", "5e relance :"),
        ("de", "3. Mahnung:", "5. Mahnung:"),
        ("es", "Tercer aviso:", "Quinto aviso:"),
    ],
)
def test_every_firm_wording_names_which_reminder_it_is(
    language: str, third: str, fifth: str
) -> None:
    for wording in TEMPLATES.wordings("email", language, "firm"):
        for number, expected in ((3, third), (5, fifth)):
            ctx = {**context(language, "firm"), "reminder_number": number}
            subject = TEMPLATES.render("email", wording, "subject", ctx)
            assert subject.startswith(expected), (wording, subject)


UNANSWERED = {
    "en": "have gone unanswered",
    "fr": "sans réponse",
    "de": "nicht reagiert",
    "es": "no han obtenido respuesta",
}


NO_REPLY = {
    "en": "or a reply",
    "fr": "ni réponse",
    "de": "noch eine Antwort",
    "es": "ni una respuesta",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_firm_reminder_says_no_reply_came_only_when_none_was_recorded(language: str) -> None:
    wording = f"{language}/firm.2"
    for answered in (False, True):
        ctx = {**context(language, "firm"), "answered": answered}
        for part in ("txt", "html"):
            text = TEMPLATES.render("email", wording, part, ctx)
            assert (NO_REPLY[language] in text) is not answered, (part, answered)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_final_notice_says_unanswered_only_when_no_answer_was_recorded(
    language: str,
) -> None:
    for wording in TEMPLATES.wordings("email", language, "final"):
        for answered in (False, True):
            ctx = {**context(language, "final"), "answered": answered}
            for part in ("txt", "html"):
                text = TEMPLATES.render("email", wording, part, ctx)
                if answered:
                    assert UNANSWERED[language] not in text, (wording, part)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "payment of £2,366.23"),
        ("fr", "soit 2\u202f337,65\xa0€"),
        ("de", "Zahlung von 2.330,98\xa0€"),
        ("es", "pago de 2.330,55\xa0€"),
    ],
)
def test_the_deadline_sentence_names_the_sum_with_its_charges(language: str, sentence: str) -> None:
    for wording in TEMPLATES.wordings("email", language, "final"):
        ctx = context(language, "final")
        assert ctx["demanded"] == ctx["total_with_charges"]
        text = TEMPLATES.render("email", wording, "txt", ctx)
        deadline = next(line for line in text.splitlines() if ctx["deadline"] in line)
        assert ctx["demanded"] in deadline, (wording, deadline)
    assert sentence in TEMPLATES.render("email", f"{language}/final", "txt", ctx)


def test_the_demanded_sum_is_the_total_when_no_charge_applies() -> None:
    ctx = context("fr", "firm")
    assert ctx["demanded"] == ctx["total"]


CLEAR = {
    "en": "Your account is now clear",
    "fr": "Votre compte est désormais soldé",
    "de": "Ihr Konto ist damit ausgeglichen",
    "es": "Su cuenta queda saldada",
}
STILL_OPEN = {
    "en": "Still open on your account:",
    "fr": "Restent ouvertes sur votre compte :",
    "de": "Auf Ihrem Konto sind noch offen:",
    "es": "Siguen pendientes en su cuenta:",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_thank_you_lists_what_remains_open_or_says_the_account_is_clear(
    language: str,
) -> None:
    customer = Customer(language=language, country={"en": "GB"}.get(language, language.upper()))
    paid = [("INV-7", Money(Decimal("120.00"), "EUR"))]
    clear = COMPOSER.thanks(customer, paid, [])
    assert CLEAR[language] in clear.text and STILL_OPEN[language] not in clear.text
    left = [("INV-9", Money(Decimal("80.50"), "EUR"), date(2026, 12, 1))]
    note = COMPOSER.thanks(customer, paid, left)
    assert STILL_OPEN[language] in note.text and CLEAR[language] not in note.text
    line = next(x for x in note.text.splitlines() if "INV-9" in x)
    assert "80" in line and ("1er décembre" in line if language == "fr" else True)
    assert "912 345 675" in note.text.split("\n-- \n")[1]  # the identity at the foot


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_stage_has_two_wordings_in_every_language(language: str) -> None:
    """A repeated or a next reminder never reads the same as the last one."""
    for stage in ("courtesy", "friendly", "firm", "final"):
        wordings = TEMPLATES.wordings("email", language, stage)
        assert len(wordings) >= 2 and all(w.startswith(f"{language}/") for w in wordings), stage
        subjects = {
            TEMPLATES.render("email", w, "subject", context(language, stage)) for w in wordings
        }
        assert len(subjects) == len(wordings), stage
