"""Final-notice letters in French, German, Spanish and English (a debt in pounds under French
law) rendered to images for a person to read (pypdfium2, PDFium's renderer), and checked by
text extraction for what a collector expects on them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from bot.channels.letter import Letter, render_pdf
from bot.config import PROJECT_ROOT, Settings, load_policy
from bot.domain.escalation import OpenItem, Suggestion
from bot.rate_files import load_law_book, load_reference_rates
from bot.rendering.templates import Templates
from bot.services.reminders.compose import Composer

SETTINGS = Settings(signatory_name="Anne Roux", signatory_title="Directrice financière")
COMPOSER = Composer(
    SETTINGS, Templates(PROJECT_ROOT / "templates"), load_law_book(load_reference_rates())
)
TODAY = date(2026, 11, 26)


@dataclass
class Customer:
    name: str
    contact_name: str
    language: str
    country: str
    governing_law: str
    salutation: str
    address: str = "1 Main Street\n10000 Town"
    external_id: str = "C-1"


CASES = {
    "fr": (Customer("Atelier SARL", "Claire Martin", "fr", "FR", "FR", "Madame"), "EUR"),
    "de": (Customer("Müller GmbH", "Stefan Müller", "de", "DE", "DE", "Herr"), "EUR"),
    "es": (Customer("García S.L.", "María García", "es", "ES", "ES", "Sra."), "EUR"),
    "en": (Customer("Thames Tools Ltd", "Tom Hale", "en", "GB", "FR", "Mr"), "GBP"),
}
EXPECTED = {
    "fr": [
        "Madame, Malgré nos relances",  # the e-mail's salutation (formal French: no name)
        "Lettre recommandée avec accusé de réception",
        "Objet : Mise en demeure",
        # issued and due, each in the short form French writes in a table
        "Facture Référence Émise le Échéance",
        "A-100 RF68 A100 1er août 2026 1er sept. 2026 86 1 234,56 €",
        "Les intérêts continuent de courir",
        "Anne Roux Directrice financière",
        "RCS Paris 912 345 675",
    ],
    "de": [
        "Sehr geehrter Herr Müller",
        "Per Einschreiben",
        "Rechnung Referenz Datum Fällig am",
        "A-100 RF68 A100 01.08.2026 01.09.2026 86 1.234,56 €",
        "laufen bis zum Zahlungseingang",
    ],
    "es": [
        "Estimada Sra. García",
        "Asunto:",
        "Factura Referencia Emisión Vencimiento",
        "A-101 RF41 A101 1 sept 2026 1 oct 2026 56 980,00 €",
        "siguen devengándose",
    ],
    "en": [
        "Dear Mr Hale",
        "By registered post",
        "Invoice Reference Issued Due date",
        "A-100 RF68 A100 1 Aug 2026 1 Sept 2026 86",
        "No fixed recovery compensation is claimed on A-100",  # €40 is not for pounds
        "Interest continues to run",
        "Registered in RCS Paris, company number 912 345 675",
    ],
}


@pytest.fixture(scope="module")
def letter_images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("letter-images", numbered=False)


@pytest.mark.parametrize("language", list(CASES))
def test_the_letter_renders_and_reads_right(language: str, letter_images: Path) -> None:
    customer, currency = CASES[language]
    items = (
        OpenItem("A-100", currency, 1_234_56, date(2026, 9, 1), issued=date(2026, 8, 1)),
        OpenItem("A-101", currency, 98_000, date(2026, 10, 1), issued=date(2026, 9, 1)),
    )
    suggestion = Suggestion(
        load_policy().stage("final"), items, 86, datetime(2026, 11, 26, 9, tzinfo=UTC), ""
    )
    context = COMPOSER.context(customer, suggestion, TODAY)
    letter = Letter.from_json(COMPOSER.letter(customer, "final", context, TODAY))
    pdf = render_pdf(letter, SETTINGS.letter_font, SETTINGS.letter_bold_font)
    text = " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    for expected in EXPECTED[language]:
        assert expected in text, expected
    document = pypdfium2.PdfDocument(pdf)
    for number, page in enumerate(document, start=1):
        image = page.render(scale=1.5).to_pil()
        path = letter_images / f"letter-{language}-{number}.png"
        image.save(path)
        # ink on the page: not a blank render
        assert image.convert("L").getextrema()[0] < 100 and path.stat().st_size > 10_000
