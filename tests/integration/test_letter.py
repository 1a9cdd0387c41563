"""The final-notice letter: a PDF whose text can be extracted, in the customer's language, with
the amounts, dates, statutory interest and the new deadline; attached to the final e-mail."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.channels.letter import Letter, letter_filename, render_pdf
from bot.config import Settings
from bot.db import unit_of_work
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import Contact, Customer, Reminder
from bot.services.common.context import Runtime
from bot.services.delivery.letters import letter_pdf
from bot.services.delivery.outbox import deliver_due
from bot.services.ledger.importing import import_invoices
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import Suggested, suggest
from tests.support.csvfiles import line, write_csv
from tests.support.drafts import written
from tests.support.smtp_server import SmtpServer

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)  # Wednesday, 10:00 in Paris


def final_notice(engine: Engine, tmp_path: Path, settings: Settings) -> Reminder:
    runtime, suggested = unread_final_notice(engine, tmp_path, settings)
    (reminder,) = written(runtime, [suggested])
    assert reminder.stage == "final" and reminder.letter_text
    return reminder


def unread_final_notice(
    engine: Engine, tmp_path: Path, settings: Settings
) -> tuple[Runtime, Suggested]:
    """A customer past the call stage: the morning suggests a final notice, unwritten yet."""
    today = NOW.date()
    import_invoices(
        engine,
        write_csv(
            tmp_path / "l.csv",
            [
                line(
                    invoice_number="F-100",
                    amount="10000",
                    due_date=(today - timedelta(50)).isoformat(),
                    issue_date=(today - timedelta(80)).isoformat(),
                    address="12 rue des Lilas\n75011 Paris",
                )
            ],
        ),
        load_mapping(),
    )
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
        for days, stage in ((45, "friendly"), (30, "firm"), (15, "call")):
            session.add(
                Contact(
                    customer_id=customer.id,
                    channel="email",
                    stage=stage,
                    occurred_at=NOW - timedelta(days=days),
                )
            )
    runtime = build_runtime(settings, engine, clock=lambda: NOW)
    (suggested,) = suggest(engine, runtime.policy, runtime.composer, NOW, today).created
    return runtime, suggested


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_letter_reads_in_french_with_rights_and_deadline(
    engine: Engine, tmp_path: Path
) -> None:
    settings = Settings()
    reminder = final_notice(engine, tmp_path, settings)
    pdf = render_pdf(
        Letter.from_json(reminder.letter_text), settings.letter_font, settings.letter_bold_font
    )
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf).split())
    for expected in (
        "Relance Demo SAS",
        "Atelier Lefèvre",
        "12 rue des Lilas",
        "75011 Paris",
        "Paris, le 25 novembre 2026",  # place and date
        "Madame, Monsieur",
        # how it is sent, the French "Objet", interest still running (the line out without it)
        "Lettre recommandée avec accusé de réception Objet : Mise en demeure de payer",
        "Les intérêts continuent de courir au taux légal jusqu’au complet paiement.",
        # the invoices as a table: heading, the row (issued, then due, in the table's short
        # form of French dates), the total
        "Facture Référence Émise le Échéance Jours de retard Montant dû",
        "F-100 RF92 F100 6 sept. 2026 6 oct. 2026 50 10 000,00 €",
        # the transfer line names the reference to quote (the invoice's own: one invoice)
        "Merci d’indiquer la référence RF92 F100 dans votre virement.",
        "Total dû 10 000,00 €",
        "articles L441-10 et D441-5 du Code de commerce",
        # the charges as a table, one row per rate period
        "Facture Période Jours Taux annuel Intérêts Indemnité forfaitaire",
        "F-100 7 octobre 2026 au 25 novembre 2026 50 12,15 % 166,44 € 40,00 €",
        "au plus tard le 7 décembre 2026",  # eight business days later
        # the company's identity at the foot, as Code de commerce R123-237 asks
        "Relance Demo SAS, SAS au capital de 10 000 € · RCS Paris 912 345 675",
        "Siège social : 12 avenue de l'Opéra, 75001 Paris",
        "1/1",  # the page number
    ):
        assert " ".join(expected.split()) in text, expected


def test_the_letter_of_a_final_notice_nobody_opened_is_written_when_asked(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    settings = Settings()
    runtime, suggested = unread_final_notice(sqlite_engine, tmp_path, settings)
    letter = letter_pdf(runtime.drafter(), settings, suggested.id)  # as `relance letter` asks
    assert letter is not None and letter.filename.endswith(".pdf")
    assert "F-100" in pdf_text(letter.content)


def test_the_final_email_carries_the_letter(
    sqlite_engine: Engine, tmp_path: Path, smtp: SmtpServer
) -> None:
    settings = Settings(
        smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="ar@relance-demo.example"
    )
    reminder = final_notice(sqlite_engine, tmp_path, settings)
    runtime = build_runtime(settings, sqlite_engine, clock=lambda: NOW)
    decisions.approve(runtime.drafter(), reminder.id, "U1", now=NOW)
    assert deliver_due(sqlite_engine, settings, "w", now=NOW).sent == [reminder.id]
    message = smtp.received[0].message
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"mise-en-demeure-{reminder.id}.pdf"  # her language
    assert attachment.get_content_type() == "application/pdf"
    assert "F-100" in pdf_text(attachment.get_content())


def test_the_letter_can_be_downloaded_from_its_card(world) -> None:  # type: ignore[no-untyped-def]
    from tests.support.slack_fixtures import APPROVER
    from tests.support.slack_steps import post_digest

    card = post_digest(world)[0]
    letter = Letter(
        ["Relance Demo SAS"],
        ["Customer"],
        "25 novembre 2026",
        "Mise en demeure",
        "Corps de la lettre F-100",
    )
    with unit_of_work(world.engine) as session:
        session.get(Reminder, card.id).letter_text = letter.to_json()
    world.slack.click(
        "letter_download", str(card.id), user=APPROVER, response_url=world.fake.response_url()
    )
    done = world.fake.wait_for(lambda: world.fake.calls_to("files.completeUploadExternal"))
    assert done[0].args["channel_id"] == card.slack_channel
    assert done[0].args["thread_ts"] == card.slack_ts
    (pdf,) = world.fake.uploads.values()
    assert "Corps de la lettre F-100" in pdf_text(pdf)


def test_a_letter_abroad_has_tables_a_country_line_page_numbers_and_a_german_name() -> None:
    from dataclasses import dataclass
    from datetime import date

    from bot.config import PROJECT_ROOT, load_policy
    from bot.domain.escalation import OpenItem, Suggestion
    from bot.rate_files import load_law_book, load_reference_rates
    from bot.rendering.templates import Templates
    from bot.services.reminders.compose import Composer

    @dataclass
    class Customer:
        name: str = "Müller Maschinenbau GmbH"
        contact_name: str = "Stefan Müller"
        language: str = "de"
        country: str = "DE"
        address: str = "Hauptstraße 1\n10115 Berlin"
        governing_law: str = "DE"
        salutation: str = "Herr"
        external_id: str = "K-204"

    settings = Settings(signatory_name="Anne Roux", signatory_title="Directrice financière")
    composer = Composer(
        settings, Templates(PROJECT_ROOT / "templates"), load_law_book(load_reference_rates())
    )
    items = tuple(  # eight invoices from spring: two rate periods each, two pages
        OpenItem(
            f"R-{n}",
            "EUR",
            100_000,
            date(2026, 3 + n % 3, 1 + n),
            issued=date(2026, 3 + n % 3, 1 + n) - timedelta(days=30),
        )
        for n in range(8)
    )
    suggestion = Suggestion(load_policy().stage("final"), items, 260, NOW, "")
    today = date(2026, 11, 26)
    frozen = composer.letter(
        Customer(), "final", composer.context(Customer(), suggestion, today), today
    )
    letter = Letter.from_json(frozen)
    assert letter_filename(7, letter) == "letzte-mahnung-7.pdf"
    assert letter.recipient[-1] == "ALLEMAGNE"  # in the sender's language, last line
    pdf = render_pdf(letter, settings.letter_font, settings.letter_bold_font)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 2 and pages[0].endswith("1/2") and pages[1].endswith("2/2")
    text = " ".join(pages)
    assert "10115 Berlin ALLEMAGNE" in text and "Paris, 26. November 2026" in text
    assert "Rechnung Referenz Datum Fällig am Tage überfällig Offener Betrag" in text
    # issued and due, as German writes a date in a table
    assert "R-1 RF59 R1 03.03.2026 02.04.2026 238 1.000,00 €" in text
    # several invoices: the account's reference for all of them
    assert "Bitte geben Sie als Verwendungszweck RF24 K204 an: Er gilt für alle" in text
    # the e-mail's salutation, interest still running, the signatory and their title
    assert "Sehr geehrter Herr Müller," in text and "Damen und Herren" not in text
    assert "Die Verzugszinsen laufen bis zum Zahlungseingang weiter." in text
    assert "Anne Roux Directrice financière Relance Demo SAS" in text
    assert "Per Einschreiben" in text
    assert "Rechnung Zeitraum Tage Zinssatz p. a. Verzugszinsen Pauschale" in text
    # one row per rate period, the interest and the lump sum once per invoice:
    # 1 000 × 10.27 % × (89 + 149) / 365 = 66.97
    assert "R-1 3. April 2026 bis 30. Juni 2026 89 10,27 % 66,97 € 40,00 €" in text
    assert "1. Juli 2026 bis 26. November 2026 149 10,27 % R-2" in text
    assert "§ 288 Abs. 2 und 5 BGB" in text


def test_the_letter_s_words_are_drawn_literally_even_a_page_count_alias() -> None:
    """fpdf2 replaces `{nb}` by the page count wherever it meets it (issue 25, finding 9): a
    customer's name or a person's edit saying `{nb}` must reach the paper as written."""
    settings = Settings()
    letter = Letter(
        sender=["Relance Demo SAS", "12 avenue de l'Opéra"],
        recipient=["Atelier {nb}", "1 rue de la Paix", "75002 Paris"],
        dateline="Paris, le 26 novembre 2026",
        subject="Mise en demeure {nb}",
        body="Article {nb} du contrat : payer sous huit jours.\n\n{nb} {NB} {{nb}}",
    )
    pdf = render_pdf(letter, settings.letter_font, settings.letter_bold_font)
    (page,) = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert "Atelier {nb}" in page and "Mise en demeure {nb}" in page
    assert "Article {nb} du contrat" in page and "{nb} {NB} {{nb}}" in page
    assert page.endswith("1/1")  # the footer still counts the pages
