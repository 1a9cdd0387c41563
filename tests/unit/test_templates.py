"""Reminder texts in every language, checked against golden files, plus the rules that protect
them: locale formatting, alternating wordings, strict variables, the fallback.

Regenerate the golden files after an intended wording change with
`RELANCE_UPDATE_GOLDEN=1 make test`, then read the diff before committing it.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from bot.config import PROJECT_ROOT, Settings, load_bank_accounts, load_policy
from bot.domain.escalation import OpenItem, Suggestion
from bot.rate_files import load_law_book, load_reference_rates
from bot.rendering.context import Addressee, Sender, reminder_context
from bot.rendering.templates import RenderedEmail, Templates, choose_wording

GOLDEN = Path(__file__).parent / "golden"
TEMPLATES = Templates(PROJECT_ROOT / "templates")
POLICY = load_policy()
LAWS = load_law_book(load_reference_rates())
ACCOUNTS = load_bank_accounts()
TODAY = date(2026, 11, 25)
SENDER = Sender(
    "Relance Demo SAS",
    "Camille Laurent",
    "ar@relance-demo.example",
    "+33 1 84 00 00 00",
    identity=Settings().identity,  # the demo company's: SAS, RCS Paris, capital, VAT
)
PEOPLE = {
    "en": Addressee("Thornton & Hale Ltd", "Oliver Thornton", "en", "GB", "GB", "", "C-1042"),
    "fr": Addressee(
        "Boulangerie Martin SARL", "Claire Martin", "fr", "FR", "FR", "Madame", "C-2001"
    ),
    "de": Addressee("Müller Maschinenbau GmbH", "Stefan Müller", "de", "DE", "DE", "Herr", "K-204"),
    "es": Addressee("Distribuciones García S.L.", "María García", "es", "ES", "ES", "Sra.", "E-77"),
}
CURRENCY = {"en": "GBP", "fr": "EUR", "de": "EUR", "es": "EUR"}


def context(language: str, stage: str) -> dict:
    """Two overdue invoices and one coming due; a pre-due stage has only invoices coming due."""
    currency = CURRENCY[language]
    coming = (OpenItem("INV-1190", currency, 45000, date(2026, 12, 2)),)
    items = (
        OpenItem(
            "INV-1042",
            currency,
            123456,
            date(2026, 9, 1),
            payment_link="https://pay.example.com/INV-1042",
        ),
        OpenItem("INV-1107", currency, 98000, date(2026, 10, 31)),
    )
    when = datetime(2026, 11, 25, 9, tzinfo=UTC)
    if POLICY.stage(stage).pre_due:
        suggestion = Suggestion(POLICY.stage(stage), coming, -7, when, "")
    else:
        suggestion = Suggestion(POLICY.stage(stage), items, 85, when, "", coming)
    return reminder_context(
        addressee=PEOPLE[language],
        suggestion=suggestion,
        sender=SENDER,
        today=TODAY,
        laws=LAWS,
        bank_accounts=ACCOUNTS,
    )


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("RELANCE_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with RELANCE_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


EMAIL_CASES = [
    (lang, wording)
    for lang in ("en", "fr", "de", "es")
    for stage in ("courtesy", "friendly", "firm", "final")
    for wording in TEMPLATES.wordings("email", lang, stage)
]


@pytest.mark.parametrize(("language", "wording"), EMAIL_CASES)
def test_email_matches_its_golden_file(language: str, wording: str) -> None:
    stage = wording.split("/")[1].split(".")[0]
    ctx = context(language, stage)
    subject = TEMPLATES.render("email", wording, "subject", ctx)
    text = TEMPLATES.render("email", wording, "txt", ctx)
    check_golden(f"email/{wording}.txt", f"Subject: {subject}\n\n{text}\n")
    html = TEMPLATES.render("email", wording, "html", ctx)
    assert html.startswith("<!DOCTYPE html>") and "INV-1190" in html  # due or coming due
    if stage != "courtesy":  # overdue invoices listed, and what is coming due apart
        assert "INV-1042" in html and "INV-1190" in text.split("INV-1107")[1]
    assert "{{" not in text + html and "{%" not in text + html


@pytest.mark.parametrize("language", ["en", "fr", "de", "es"])
def test_call_script_matches_its_golden_file(language: str) -> None:
    script = TEMPLATES.render("call", f"{language}/call", "txt", context(language, "call"))
    check_golden(f"call/{language}.txt", script + "\n")


def test_final_notice_html_matches_its_golden_file() -> None:
    for language in ("en", "fr"):
        html = TEMPLATES.render("email", f"{language}/final", "html", context(language, "final"))
        check_golden(f"email/{language}/final.html", html + "\n")


@pytest.mark.parametrize(
    ("language", "amount", "day"),
    [
        ("en", "£1,234.56", "1 September 2026"),
        ("fr", "1\u202f234,56\xa0€", "1er septembre 2026"),
        ("de", "1.234,56\xa0€", "1. September 2026"),
        ("es", "1.234,56\xa0€", "1 de septiembre de 2026"),
    ],
)
def test_amounts_and_dates_in_the_customers_locale(language: str, amount: str, day: str) -> None:
    text = TEMPLATES.render("email", f"{language}/friendly", "txt", context(language, "friendly"))
    assert amount in text and day in text


def test_statutory_rights_appear_on_final_notices_only() -> None:
    final = TEMPLATES.render("email", "fr/final", "txt", context("fr", "final"))
    assert "articles L441-10 et D441-5 du Code de commerce" in final and "40,00\xa0€" in final
    firm = TEMPLATES.render("email", "fr/firm", "txt", context("fr", "firm"))
    assert "L441-10" not in firm and "intérêts" not in firm


def email_in(language: str, stage: str, ctx: dict, last_wording: str = "") -> RenderedEmail:
    """The e-mail as a reminder gets it: the wording chosen, then its three parts."""
    wording = choose_wording(TEMPLATES.wordings("email", language, stage), last_wording)
    return TEMPLATES.render_email(wording, ctx)


def test_the_same_wording_never_twice_in_a_row() -> None:
    ctx = context("en", "firm")
    first = email_in("en", "firm", ctx)
    second = email_in("en", "firm", ctx, first.wording)
    third = email_in("en", "firm", ctx, second.wording)
    assert first.wording != second.wording != third.wording
    assert first.text != second.text
    assert choose_wording(["a"], "a") == "a"  # a single wording has no alternative


def test_en_and_fr_have_two_wordings_per_email_stage() -> None:
    for language in ("en", "fr"):
        for stage in ("courtesy", "friendly", "firm", "final"):
            assert len(TEMPLATES.wordings("email", language, stage)) >= 2


def test_a_wording_added_while_running_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "email" / "en"
    folder.mkdir(parents=True)
    (folder / "friendly.txt.j2").write_text("Hello")
    templates = Templates(tmp_path)
    assert templates.wordings("email", "en", "friendly") == ["en/friendly"]
    (folder / "friendly.2.txt.j2").write_text("Hello again")
    os.utime(folder, ns=(0, folder.stat().st_mtime_ns + 1))  # a coarse clock could tie
    assert templates.wordings("email", "en", "friendly") == ["en/friendly", "en/friendly.2"]


def test_a_language_without_templates_falls_back_to_english() -> None:
    email = email_in("it_IT", "friendly", context("en", "friendly"))
    assert email.language == "en" and email.wording == "en/friendly"


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    ctx = context("en", "friendly")
    del ctx["total"]
    with pytest.raises(UndefinedError):
        email_in("en", "friendly", ctx)


def test_html_escapes_customer_text() -> None:
    ctx = context("en", "friendly")
    ctx["contact_person"] = "<script>alert(1)</script>"
    html = TEMPLATES.render("email", "en/friendly", "html", ctx)
    text = TEMPLATES.render("email", "en/friendly", "txt", ctx)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<script>" in text  # plain text is not HTML: shown as written


def test_an_opted_in_stage_offers_the_early_payment_discount() -> None:
    from dataclasses import replace

    ctx = context("fr", "friendly")
    items = (OpenItem("INV-1042", "EUR", 123456, date(2026, 9, 1)),)
    stage = replace(POLICY.stage("friendly"), discount_percent=Decimal(2))
    suggestion = Suggestion(stage, items, 85, datetime(2026, 11, 25, 9, tzinfo=UTC), "")
    ctx = reminder_context(
        addressee=PEOPLE["fr"],
        suggestion=suggestion,
        sender=SENDER,
        today=TODAY,
        laws=LAWS,
        discount_days=7,
    )
    text = TEMPLATES.render("email", "fr/friendly", "txt", ctx)
    assert (
        "en réglant avant le 4 décembre 2026, déduisez 2\xa0% (24,69\xa0€) ; "
        "1\u202f209,87\xa0€ solde cette facture"
    ) in text
    html = TEMPLATES.render("email", "fr/friendly", "html", ctx)
    assert "Escompte pour paiement anticipé" in html
    plain = TEMPLATES.render("email", "fr/friendly", "txt", context("fr", "friendly"))
    assert "Escompte" not in plain  # not offered unless the stage opts in


def test_a_discount_beyond_the_leads_limit_is_refused() -> None:
    import tomllib

    from bot.config import PROJECT_ROOT as ROOT
    from bot.domain.policy import Policy, PolicyError

    data = tomllib.loads((ROOT / "bot" / "policy.toml").read_text())
    data["stages"][1]["discount_percent"] = 5  # the lead allows 2
    with pytest.raises(
        PolicyError, match="offers a discount of 5%, above the finance lead's limit of 2%"
    ):
        Policy.from_dict(data)


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [
        (
            "fr",
            "du 16 mai 2026 au 30 juin 2026 : 46 jours au taux annuel de 12,15\xa0%",
            "du 1er juillet 2026 au 25 novembre 2026 : 148 jours au taux annuel de 12,15\xa0%",
        ),
        (
            "de",
            "vom 16. Mai 2026 bis 30. Juni 2026: 46 Tage zu 10,27\xa0% jährlich",
            "vom 1. Juli 2026 bis 25. November 2026: 148 Tage zu 10,27\xa0% jährlich",
        ),
    ],
)
def test_a_debt_across_half_years_gets_one_line_per_rate_period(
    language: str, first: str, second: str
) -> None:
    currency = CURRENCY[language]
    items = (OpenItem("INV-9", currency, 100000, date(2026, 5, 15)),)
    suggestion = Suggestion(
        POLICY.stage("final"), items, 194, datetime(2026, 11, 25, tzinfo=UTC), ""
    )
    ctx = reminder_context(
        addressee=PEOPLE[language], suggestion=suggestion, sender=SENDER, today=TODAY, laws=LAWS
    )
    text = TEMPLATES.render("email", f"{language}/final", "txt", ctx)
    assert first in text and second in text
    assert " / " not in text


def _paying(language: str, items: tuple[OpenItem, ...], **extra) -> tuple[dict, str, str]:
    suggestion = Suggestion(
        POLICY.stage("friendly"), items, 20, datetime(2026, 11, 25, 9, tzinfo=UTC), ""
    )
    ctx = reminder_context(
        addressee=PEOPLE[language],
        suggestion=suggestion,
        sender=SENDER,
        today=TODAY,
        laws=LAWS,
        bank_accounts=ACCOUNTS,
        **extra,
    )
    return (
        ctx,
        TEMPLATES.render("email", f"{language}/friendly", "txt", ctx),
        TEMPLATES.render("email", f"{language}/friendly", "html", ctx),
    )


def test_every_invoices_payment_link_is_given_when_they_differ() -> None:
    items = tuple(
        OpenItem(
            f"INV-{n}", "EUR", 1000, date(2026, 11, 1), payment_link=f"https://pay.example/{n}"
        )
        for n in (1, 2, 3, 4)
    )
    for language in ("en", "fr", "de", "es"):
        _ctx, text, html = _paying(language, items)
        for n in (1, 2, 3, 4):
            assert f"INV-{n}" in text and f"https://pay.example/{n}" in text
            assert f'href="https://pay.example/{n}"' in html


def test_one_shared_link_is_given_once() -> None:
    items = tuple(
        OpenItem(f"INV-{n}", "EUR", 1000, date(2026, 11, 1), payment_link="https://pay.example/a")
        for n in (1, 2)
    )
    _ctx, text, _html = _paying("en", items)
    assert text.count("https://pay.example/a") == 1


@pytest.mark.parametrize(
    ("currency", "shown", "not_shown"),
    [("GBP", "GB33 BUKB", "FR76"), ("EUR", "FR76 3000", "GB33"), ("USD", "026009593", "FR76")],
)
def test_the_bank_account_of_the_reminders_currency(currency, shown, not_shown) -> None:
    items = (OpenItem("INV-1", currency, 1000, date(2026, 11, 1)),)
    for language in ("en", "fr", "de", "es"):
        ctx, text, html = _paying(language, items)
        assert shown in text and shown in html and shown in ctx["sender"].bank_details
        assert not_shown not in text + html


def test_no_account_for_a_currency_gives_no_bank_details_and_says_so() -> None:
    from bot.services.reminders.compose import no_account_note

    items = (OpenItem("INV-1", "SEK", 1000, date(2026, 11, 1)),)
    ctx, text, html = _paying("en", items)
    assert "IBAN" not in text + html and "bank transfer" not in text
    assert ctx["no_bank_account_for"] == ["SEK"]
    assert "No bank account for SEK" in no_account_note(ctx["no_bank_account_for"])


def test_the_customer_page_link_is_in_every_language_when_there_is_one() -> None:
    items = (OpenItem("INV-1", "EUR", 1000, date(2026, 11, 1)),)
    url = "https://pay.relance.example/c/abc123"
    for language in ("en", "fr", "de", "es"):
        _ctx, text, html = _paying(language, items, customer_page_url=url)
        assert url in text and f'href="{url}"' in html
        _ctx, text, html = _paying(language, items)
        assert "/c/" not in text + html


def test_a_final_notice_longer_than_one_slack_input_is_edited_in_parts() -> None:
    from bot.services.reminders.editing import PART_SIZE, join_body, split_body

    paragraphs = [f"Paragraph {n}: " + "lorem ipsum " * 60 for n in range(12)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 2 * PART_SIZE
    parts = split_body(text)
    assert len(parts) >= 3 and all(len(p) <= PART_SIZE for p in parts)
    assert join_body(parts) == text
    one_block = "x" * 7000  # no line break at all: cut anyway, nothing lost
    assert "".join(split_body(one_block)) == one_block


@pytest.mark.parametrize(("language", "wording"), EMAIL_CASES)
def test_html_emails_escape_every_value(language: str, wording: str) -> None:
    """Invoice numbers and links come from ledgers: in HTML they are text, never markup."""
    stage = wording.split("/")[1].split(".")[0]
    link = 'https://pay.example/x"><script>alert(1)</script>'
    items = (
        OpenItem("INV-<b>9</b>", CURRENCY[language], 123456, date(2026, 9, 1), payment_link=link),
        OpenItem("INV-<i>10</i>", CURRENCY[language], 1000, date(2026, 9, 2)),
    )
    suggestion = Suggestion(
        POLICY.stage(stage), items, 85, datetime(2026, 11, 25, 9, tzinfo=UTC), ""
    )
    ctx = reminder_context(
        addressee=PEOPLE[language],
        suggestion=suggestion,
        sender=SENDER,
        today=TODAY,
        laws=LAWS,
        bank_accounts=ACCOUNTS,
        customer_page_url=link,
    )
    html = TEMPLATES.render("email", wording, "html", ctx)
    text = TEMPLATES.render("email", wording, "txt", ctx)
    assert "<b>9</b>" not in html and "<i>10</i>" not in html and "<script>" not in html
    assert 'x"><' not in html
    assert "INV-&lt;b&gt;9&lt;/b&gt;" in html
    assert "INV-<b>9</b>" in text  # plain text is not HTML: shown as written


def _one_invoice(language: str, stage: str, days_late: int, addressee: Addressee) -> dict:
    due = date.fromordinal(TODAY.toordinal() - days_late)
    items = (OpenItem("INV-7", CURRENCY[language], 50000, due),)
    suggestion = Suggestion(
        POLICY.stage(stage), items, days_late, datetime(2026, 11, 25, 9, tzinfo=UTC), ""
    )
    return reminder_context(
        addressee=addressee,
        suggestion=suggestion,
        sender=SENDER,
        today=TODAY,
        laws=LAWS,
        bank_accounts=ACCOUNTS,
    )


@pytest.mark.parametrize(
    ("language", "one_day", "two_days"),
    [
        ("en", "(1 day ago)", "(2 days ago)"),
        ("fr", "(retard de 1 jour)", "(retard de 2 jours)"),
        ("de", "seit 1 Tag überfällig", "seit 2 Tagen überfällig"),
        ("es", "(hace 1 día)", "(hace 2 días)"),
    ],
)
def test_days_follow_each_languages_plural_rules(language, one_day, two_days) -> None:
    for days_late, expected in ((1, one_day), (2, two_days)):
        ctx = _one_invoice(language, "friendly", days_late, PEOPLE[language])
        assert expected in TEMPLATES.render("email", f"{language}/friendly", "txt", ctx)


@pytest.mark.parametrize(
    ("language", "salutation", "contact", "stage", "greeting"),
    [
        ("de", "Frau", "Katrin Weber", "firm", "Sehr geehrte Frau Weber,"),
        ("de", "Herr", "Stefan Müller", "friendly", "Sehr geehrter Herr Müller,"),
        ("de", "", "Katrin Weber", "final", "Guten Tag Katrin Weber,"),
        ("de", "", "", "final", "Sehr geehrte Damen und Herren,"),
        ("es", "Sra.", "María García López", "firm", "Estimada Sra. García López:"),
        ("es", "Sr.", "Javier López", "friendly", "Estimado Sr. López:"),
        ("es", "", "Javier López", "friendly", "Buenos días, Javier López:"),
        ("es", "", "", "final", "Estimados señores:"),
        ("fr", "Madame", "Claire Martin", "final", "Madame,"),
        ("fr", "Mme", "Claire Martin", "friendly", "Bonjour Madame Martin,"),
        ("fr", "", "Claire Martin", "final", "Madame, Monsieur,"),
        ("fr", "", "Claire Martin", "friendly", "Bonjour Claire Martin,"),
        ("en", "Ms", "Jane Smith", "final", "Dear Ms Smith,"),
        ("en", "", "Jane Smith", "friendly", "Hello Jane Smith,"),
        ("en", "", "", "firm", "Dear Sir or Madam,"),
    ],
)
def test_each_language_greets_formally_with_a_salutation_and_neutrally_without(
    language, salutation, contact, stage, greeting
) -> None:
    addressee = Addressee("Firma GmbH", contact, language, "DE", "DE", salutation)
    ctx = _one_invoice(language, stage, 20, addressee)
    for wording in TEMPLATES.wordings("email", language, stage):
        text = TEMPLATES.render("email", wording, "txt", ctx)
        assert text.split("\n")[0] == greeting, wording
        assert f"<p>{greeting}</p>" in TEMPLATES.render("email", wording, "html", ctx)


PLURAL_WORDS = {
    "en": ("invoices",),
    "fr": ("factures", "ces factures"),
    "de": ("Rechnungen",),
    "es": ("facturas",),
}


@pytest.mark.parametrize(("language", "wording"), EMAIL_CASES)
def test_one_invoice_is_never_called_invoices(language: str, wording: str) -> None:
    stage = wording.split("/")[1].split(".")[0]
    ctx = _one_invoice(language, stage, 20, PEOPLE[language])
    for part in ("subject", "txt", "html"):
        rendered = TEMPLATES.render("email", wording, part, ctx)
        for word in PLURAL_WORDS[language]:
            assert word not in rendered, (part, word)


def test_the_french_final_notice_is_a_mise_en_demeure_from_subject_to_signature() -> None:
    for wording in TEMPLATES.wordings("email", "fr", "final"):
        ctx = context("fr", "final")
        subject = TEMPLATES.render("email", wording, "subject", ctx)
        text = TEMPLATES.render("email", wording, "txt", ctx)
        assert subject.startswith("Mise en demeure de payer")
        assert "mettons en demeure" in text and "dernière relance" not in text
        assert "Dernier avis" not in TEMPLATES.render("email", wording, "html", ctx)
        assert text.rstrip().split("\n")[-6] == (  # before the name and the legal footer
            "Nous vous prions d’agréer, Madame, l’expression de nos salutations distinguées."
        )


@pytest.mark.parametrize("language", ["en", "fr", "de", "es"])
def test_the_hand_off_note_is_written_in_every_language(language: str) -> None:
    ctx = context(language, "handoff")
    wording = f"{language}/handoff"
    note = TEMPLATES.render("note", wording, "txt", ctx)
    subject = TEMPLATES.render("note", wording, "subject", ctx)
    check_golden(f"note/{language}.txt", f"Subject: {subject}\n\n{note}\n")
