"""Copies: what a ledger may name as an invoice's PDF, which copies travel attached and which
as links, files kept inside the documents folder, and replies that ask for a copy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.channels.documents import DocumentMissing, locate, read_pdf
from bot.config import Settings
from bot.domain.copies import Copy, check_pdf_reference, pack
from bot.domain.inbound import Inbound, Kind, asks_for_copy, read_message
from bot.services.delivery.copies import attachment_name
from bot.services.operations.settings_check import check_run

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "invoices" / "default-invoice.pdf"


@pytest.mark.parametrize(
    "reference",
    ["2026/FA-2026-0106.pdf", "FA-1.PDF", "https://erp.example.com/invoices/FA-1.pdf?sig=abc"],
)
def test_a_relative_pdf_path_or_an_https_address_is_kept(reference: str) -> None:
    assert check_pdf_reference(f"  {reference} ") == reference


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("../secrets/FA-1.pdf", "inside the documents folder"),
        ("2026/../../FA-1.pdf", "inside the documents folder"),
        ("/etc/FA-1.pdf", "inside the documents folder"),
        ("2026//FA-1.pdf", "inside the documents folder"),
        ("C:\\invoices\\FA-1.pdf", "backslash"),
        ("C:/invoices/FA-1.pdf", "must start with https://"),
        ("http://erp.example.com/FA-1.pdf", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("javascript:alert(1)", "must start with https://"),
        ("https:///FA-1.pdf", "not a usable https address"),
        ("https://user:pw@erp.example.com/FA-1.pdf", "not a usable https address"),
        ("FA-1.docx", "not a .pdf file"),
        ("FA-1\n.pdf", "control character"),
        ("a" * 501 + ".pdf", "longer than 500"),
    ],
)
def test_anything_else_is_refused_with_why(reference: str, why: str) -> None:
    with pytest.raises(ValueError, match=why.replace(".", r"\.")):
        check_pdf_reference(reference)


def test_files_are_attached_in_order_within_the_cap_the_rest_linked() -> None:
    copies = [
        Copy("A", "a.pdf", 3_000_000),
        Copy("B", "https://erp.example.com/b.pdf", None),
        Copy("C", "c.pdf", 2_500_000),  # would pass the cap: linked
        Copy("D", "d.pdf", 1_900_000),
        Copy("E", "e.pdf", None),  # a file that cannot be read: neither
    ]
    packing = pack(copies, 5_000_000)
    assert [c.number for c in packing.attached] == ["A", "D"]
    assert [c.number for c in packing.linked] == ["B", "C"]


def test_an_attachment_is_named_after_its_invoice_with_safe_characters() -> None:
    assert attachment_name("FA-2026-0106") == "FA-2026-0106.pdf"
    assert attachment_name('F/2026 "7"') == "F-2026-7.pdf"
    assert attachment_name("../..") == "invoice.pdf"


def test_a_document_is_read_only_inside_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    (folder / "2026").mkdir(parents=True)
    (folder / "2026" / "FA-1.pdf").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "outside.pdf").write_bytes(SAMPLE.read_bytes())
    (folder / "escape.pdf").symlink_to(tmp_path / "outside.pdf")
    (folder / "note.pdf").write_text("not a PDF at all")
    assert read_pdf(folder, "2026/FA-1.pdf") == SAMPLE.read_bytes()
    with pytest.raises(DocumentMissing, match="outside the documents folder"):
        locate(folder, "escape.pdf")  # a link out of the folder is followed, then refused
    with pytest.raises(DocumentMissing, match="outside the documents folder"):
        locate(folder, "../outside.pdf")
    with pytest.raises(DocumentMissing, match="not in the documents folder"):
        locate(folder, "2026/FA-2.pdf")
    with pytest.raises(DocumentMissing, match="not a PDF"):
        read_pdf(folder, "note.pdf")
    with pytest.raises(DocumentMissing, match="no documents folder"):
        locate(None, "2026/FA-1.pdf")


@pytest.mark.parametrize(
    "text",
    [
        "Hello, could you send me a copy of the invoice? We cannot find it.",
        "Please resend the invoices, our AP team lost them.",
        "Bonjour, pourriez-vous nous renvoyer la facture F-101 ? Merci.",
        "Merci de nous adresser une copie de la facture, nous ne l'avons pas reçue.",
        "Un duplicata svp.",
        "Guten Tag, bitte senden Sie uns eine Rechnungskopie.",
        "Könnten Sie uns die Rechnung erneut zusenden?",
        "Buenos días, ¿podrían enviarnos una copia de la factura?",
        "Por favor, reenvíennos las facturas pendientes.",
    ],
)
def test_a_request_for_a_copy_is_recognised_in_each_language(text: str) -> None:
    assert asks_for_copy(text)


@pytest.mark.parametrize(
    "text",
    [
        "We paid the invoice yesterday, see the remittance attached.",
        "Nous contestons la facture F-101 : la livraison était incomplète.",
        "Die Rechnung wurde bereits bezahlt.",
        "La factura está pagada desde el lunes.",
    ],
)
def test_other_replies_are_not_taken_for_a_request(text: str) -> None:
    assert not asks_for_copy(text)


def _mail(body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Jean Lefèvre <jean@atelier.example>"
    message["To"] = "ar@relance-demo.example"
    message["Subject"] = "Re: Relance facture F-101"
    message["Message-ID"] = "<q1@atelier.example>"
    message.set_content(body)
    return bytes(message)


def test_only_the_new_text_of_a_reply_decides() -> None:
    asked = read_message(
        _mail("Pouvez-vous renvoyer la facture ?\n\n> Bonjour"), date(2026, 11, 26)
    )
    quoted = read_message(
        _mail("C'est réglé.\n\nLe 20 nov. 2026, AR a écrit :\n> une copie de la facture"),
        date(2026, 11, 26),
    )
    assert isinstance(asked, Inbound) and asked.kind is Kind.COPY_REQUEST
    assert isinstance(quoted, Inbound) and quoted.kind is Kind.REPLY


def test_start_up_says_when_the_documents_folder_is_not_one(tmp_path: Path) -> None:
    def said(**changes: object) -> list[str]:
        settings = replace(Settings(), **changes)  # type: ignore[arg-type]
        return [f"{f.setting}: {f.message}" for f in check_run(settings, http=False)]

    missing = tmp_path / "nowhere"
    assert any(
        m.startswith("RELANCE_DOCUMENTS_DIR:") and "not a folder" in m
        for m in said(documents_dir=missing)
    )
    assert not any(m.startswith("RELANCE_DOCUMENTS_DIR") for m in said(documents_dir=tmp_path))
    assert "RELANCE_ATTACHMENTS_MAX_BYTES: is below zero" in said(attachments_max_bytes=-1)
