"""The customer's page in a real browser (Chromium, headless), on both databases: what a
customer sees and does, on a desktop and on a phone, in French and German, checked by axe-core
for accessibility; screenshots are written for a person to look at."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlmodel import col, select

from bot.db import read_only, unit_of_work
from bot.domain.creditor_reference import creditor_reference, is_valid, printed
from bot.domain.escalation import Suggestion
from bot.models import Dispute, Invoice, Promise
from bot.services.reminders.suggestions import todays_decisions
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
    form.get_by_label("F-101").check()
    form.get_by_label("Je paierai au plus tard le").fill(promised)
    form.get_by_label("Montant (vide pour le solde entier)").fill("500")
    form.get_by_role("button").click()
    assert "votre engagement est enregistré" in tab.get_by_role("status").inner_text()

    tab.get_by_text("Je conteste une facture").click()
    form = tab.locator("form[action$='/dispute']")
    form.get_by_label("F-103").check()
    form.get_by_label("Motif").select_option("quality")
    form.get_by_label("Précisez").fill("Les pièces sont arrivées cassées.")
    form.get_by_role("button", name="Envoyer").click()
    assert "suspendons nos relances" in tab.get_by_role("status").inner_text()
    assert "(contestée)" in tab.locator("tr[data-invoice='F-103']").inner_text()

    tab.get_by_text("J’ai payé").click()
    form = tab.locator("form[action$='/paid']")
    form.get_by_label("Montant payé").fill("99,90")
    form.get_by_label("Référence du paiement").fill("VIR-2026-11-26")
    form.get_by_role("button").click()
    assert "vérifions la réception de votre paiement" in tab.get_by_role("status").inner_text()
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
    # what to pay, to whom and with which reference: on the first screen, before the list
    for selector in (".total", "#pay", ".reference"):
        box = tab.locator(selector).first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["viewport"]["height"], selector
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
    tab.locator("form[action$='/promise']").get_by_label("D-201").check()
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
    assert tab.evaluate("[document.activeElement.name, document.activeElement.type]") == [
        "invoice",
        "checkbox",
    ]


def decoded_qr(tab) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines of the page's EPC QR code, as a banking app reads them (zxing-cpp)."""
    png = tab.locator(".qr svg").screenshot()
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    return found.text.split("\n")


def test_the_pages_epc_qr_code_decodes_to_the_amount_iban_and_reference(
    page_world: PageWorld, tab
) -> None:
    tab.goto(page_world.link("A"))
    lines = decoded_qr(tab)
    assert lines[6] == "FR7630006000011234567890189"
    assert lines[7] == "EUR1599.90"
    # three invoices: the structured reference of the customer's account (ISO 11649, "A")
    assert lines[9] == creditor_reference("A") and len(lines) == 10
    assert is_valid(lines[9])
    assert tab.locator(".reference").inner_text() == printed(lines[9])
    # each invoice's own reference beside it, for paying one alone
    assert tab.locator("tr[data-invoice='F-101'] .invoice-reference").inner_text() == printed(
        creditor_reference("F-101") or ""
    )


def test_the_page_asks_for_what_the_email_demands_and_not_again_once_declared_paid(
    page_world: PageWorld, tab, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    """A customer with a disputed, a promised, a coming-due and two overdue invoices: the page's
    total and its QR code's amount are the reminder's demand, to the cent."""
    db = request.node.callspec.params["engine"]
    customer = page_world.customers["A"]
    today = page_world.today
    with unit_of_work(page_world.engine) as session:
        for number, amount, due in (("F-104", 45678, -12), ("F-105", 70000, 10)):
            session.add(
                Invoice(
                    number=number,
                    customer_id=customer,
                    currency="EUR",
                    amount_minor=amount,
                    issue_date=today - timedelta(days=40),
                    due_date=today + timedelta(days=due),
                )
            )
    url = page_world.link("A")
    promised = (today + timedelta(days=9)).isoformat()
    assert page_world.post(url, "promise", {"invoice": "F-101", "date": promised}).status == 303
    answer = page_world.post(
        url, "dispute", {"invoice": "F-102", "reason": "quality", "text": "Cassé"}
    )
    assert answer.status == 303
    runtime = page_world.runtime
    with read_only(page_world.engine) as session:
        (item,) = [
            d
            for d in todays_decisions(session, runtime.policy, runtime.now())
            if d.customer.id == customer and isinstance(d.decision, Suggestion)
        ]
    assert [i.number for i in item.decision.invoices] == ["F-104", "F-103"]  # oldest first
    draft = runtime.composer.draft(item.customer, item.decision, today)
    demanded = re.search(r"Total dû : ([^\n]+)", plain(draft.text)).group(1)
    assert demanded == "556,68 €"  # 99,90 + 456,78; not the disputed, promised, coming-due
    reference = creditor_reference("A") or ""
    assert printed(reference) in draft.text  # the e-mail quotes the QR code's reference

    tab.goto(url)
    assert plain(tab.locator(".total .amount").inner_text()) == demanded
    assert "700,00 €" in plain(tab.locator(".coming").inner_text())  # F-105, apart
    lines = decoded_qr(tab)
    assert lines[7] == "EUR556.68" and lines[9] == reference
    shot(tab, screenshots, f"page-due-now-{db}")

    # "I have paid" the whole of it: being checked, and no code asks for it again
    tab.get_by_text("J’ai payé").click()
    form = tab.locator("form[action$='/paid']")
    form.get_by_label("Montant payé").fill("556,68")
    form.get_by_role("button").click()
    declared = plain(tab.locator(".declared").inner_text())
    assert "Paiement de 556,68 € déclaré le 26 novembre 2026" in declared
    assert "en cours de vérification" in declared
    assert tab.locator(".qr svg").count() == 0
    # the next import shows the money in: the declaration is settled, the page plain again
    with unit_of_work(page_world.engine) as session:
        for invoice in session.exec(
            select(Invoice).where(col(Invoice.number).in_(["F-103", "F-104"]))
        ):
            invoice.paid_minor = invoice.amount_minor
    tab.goto(url)
    assert tab.locator(".declared").count() == 0
    assert tab.locator(".total").count() == 0  # nothing due now: F-105 is not yet due


def test_copy_buttons_put_the_iban_and_the_reference_on_the_clipboard(
    page_world: PageWorld, browser
) -> None:  # type: ignore[no-untyped-def]
    """The page's one script runs, allowed by its hash in the policy (no violation reported)."""
    context = browser.new_context(locale="fr-FR", permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    blocked: list[str] = []
    tab.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    tab.goto(page_world.link("A"))
    tab.get_by_role("button", name="Copier l’IBAN").click()
    assert tab.evaluate("navigator.clipboard.readText()") == "FR7630006000011234567890189"
    assert tab.locator("#copied-EUR").inner_text() == "Copié."
    tab.get_by_role("button", name="Copier la référence").click()
    assert tab.evaluate("navigator.clipboard.readText()") == creditor_reference("A")
    assert blocked == []
    context.close()
