"""The customer's page in a real browser (Chromium, headless), on both databases: what a
customer sees and does, on a desktop and on a phone, in French and German, checked by axe-core
for accessibility; screenshots are written for a person to look at."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlmodel import select

from bot.db import read_only
from bot.models import Dispute, Promise
from tests.support.browser import axe_script
from tests.support.page_world import CARD_CHANNEL, CARD_TS, PageWorld

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def tab(browser, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    size = getattr(request, "param", None) or {"viewport": {"width": 1280, "height": 900}}
    context = browser.new_context(**size, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def plain(text: str) -> str:
    """Babel's narrow and no-break spaces as plain ones, to compare amounts."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def shot(page, screenshots: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = screenshots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.evaluate(axe_script())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_customer_sees_promises_disputes_and_says_paid(
    page_world: PageWorld, tab, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    db = request.node.callspec.params["engine"]
    tab.goto(page_world.link("A"))
    rows = tab.locator("table.invoices tbody tr")
    assert [r.get_attribute("data-invoice") for r in rows.all()] == ["F-101", "F-102", "F-103"]
    assert "1 599,90 €" in plain(tab.locator(".total").inner_text())
    shot(tab, screenshots, f"page-desktop-fr-{db}")

    promised = (page_world.today + timedelta(days=7)).isoformat()
    tab.get_by_text("Je m’engage à payer").click()
    form = tab.locator("form[action$='/promise']")
    form.get_by_label("Facture", exact=True).select_option("F-101")
    form.get_by_label("Je paierai au plus tard le").fill(promised)
    form.get_by_label("Montant (vide pour le solde entier)").fill("500")
    form.get_by_role("button").click()
    assert "votre engagement est enregistré" in tab.get_by_role("status").inner_text()

    tab.get_by_text("Je conteste une facture").click()
    form = tab.locator("form[action$='/dispute']")
    form.get_by_label("Facture", exact=True).select_option("F-103")
    form.get_by_label("Motif").select_option("quality")
    form.get_by_label("Précisez").fill("Les pièces sont arrivées cassées.")
    form.get_by_role("button").click()
    assert "suspendons nos relances" in tab.get_by_role("status").inner_text()
    assert "(contestée)" in tab.locator("tr[data-invoice='F-103']").inner_text()

    tab.get_by_text("J’ai payé").click()
    form = tab.locator("form[action$='/paid']")
    form.get_by_label("Montant payé").fill("99,90")
    form.get_by_label("Référence du paiement").fill("VIR-2026-11-26")
    form.get_by_role("button").click()
    assert "rechercher votre paiement" in tab.get_by_role("status").inner_text()
    shot(tab, screenshots, f"page-after-answers-{db}")

    with read_only(page_world.engine) as session:
        promise = session.exec(select(Promise)).one()
        dispute = session.exec(select(Dispute)).one()
    assert (promise.amount_minor, promise.promised_date.isoformat()) == (50000, promised)
    assert dispute.reason == "quality: Les pièces sont arrivées cassées."
    news = page_world.news()
    assert [n["text"].split(" on their page")[0].split("Lefèvre ")[1] for n in news] == [
        "promised to pay",
        "disputes an invoice",
        "says they have paid",
    ]
    assert all((n["channel"], n["thread_ts"]) == (CARD_CHANNEL, CARD_TS) for n in news)
    kinds = {e.kind for e in page_world.events("page_paid") + page_world.events("promise")}
    assert kinds == {"page_paid", "promise"} and page_world.events("dispute")
    for event in page_world.events("page_paid"):
        assert json.loads(event.content)["reference"] == "VIR-2026-11-26"


@pytest.mark.parametrize("tab", [PHONE], indirect=True)
def test_on_a_phone_the_page_fits_the_screen_and_passes_axe(
    page_world: PageWorld, tab, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    tab.goto(page_world.link("A"))
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # the table becomes labelled lines: each value carries its column's name
    assert tab.locator("tr[data-invoice='F-101'] td").first.get_attribute("data-label") == "Facture"
    shot(tab, screenshots, f"page-phone-{request.node.callspec.params['engine']}")
    assert serious_violations(tab) == []


def test_the_page_in_german_and_switched_to_french_passes_axe(
    page_world: PageWorld, tab, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    db = request.node.callspec.params["engine"]
    tab.goto(page_world.link("B"))
    assert tab.locator("html").get_attribute("lang") == "de"
    assert tab.locator("h1").inner_text() == "Ihr Konto bei Relance Demo SAS"
    assert "Tage überfällig" in tab.locator("thead").inner_text()
    assert "2.500,00 €" in plain(tab.locator(".total").inner_text())
    shot(tab, screenshots, f"page-de-{db}")
    assert serious_violations(tab) == []
    tab.get_by_role("link", name="Français").click()
    assert tab.locator("html").get_attribute("lang") == "fr"
    assert tab.locator("h1").inner_text() == "Votre compte chez Relance Demo SAS"
    assert "2 500,00 €" in plain(tab.locator(".total").inner_text())
    # an answer keeps the chosen language, and a refused one says why, accessibly
    tab.get_by_text("Je m’engage à payer").click()
    tab.get_by_label("Je paierai au plus tard le").fill(
        (page_world.today - timedelta(days=1)).isoformat()
    )
    tab.locator("#promise-date").evaluate("e => e.removeAttribute('min')")
    tab.locator("form[action$='/promise'] button").click()
    assert "la date ne peut pas être passée" in tab.locator("#promise-date-error").inner_text()
    assert tab.locator("#promise-date").get_attribute("aria-invalid") == "true"
    shot(tab, screenshots, f"page-fr-error-{db}")
    assert serious_violations(tab) == []


def test_the_keyboard_reaches_and_opens_every_form(page_world: PageWorld, tab) -> None:
    tab.goto(page_world.link("A"))
    reached = []
    for _ in range(60):
        tab.keyboard.press("Tab")
        reached.append(tab.evaluate("document.activeElement.textContent.trim()"))
        if reached[-1] == "Je m’engage à payer":
            break
    assert reached[-1] == "Je m’engage à payer"
    tab.keyboard.press("Enter")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "promise-invoice"


def test_the_pages_epc_qr_code_decodes_to_the_amount_iban_and_reference(
    page_world: PageWorld, tab
) -> None:
    tab.goto(page_world.link("A"))
    png = tab.locator(".qr svg").screenshot()
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    lines = found.text.split("\n")
    assert lines[6] == "FR7630006000011234567890189"
    assert lines[7] == "EUR1599.90"
    assert lines[10] == "F-101 F-102 F-103"
    assert tab.locator(".reference").inner_text() == "F-101 F-102 F-103"
