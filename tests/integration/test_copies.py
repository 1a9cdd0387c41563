"""Copies of invoices through a real SMTP server: a reminder carries the PDFs of the invoices it
lists (within the size cap, the rest linked through the customer's page), and a customer who
asks for copies gets them, with a statement of account, by one click — once.

The invoice PDFs are another project's sample invoices (tests/fixtures/invoices/SOURCE.md).
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.channels.email import message_id
from bot.config import Settings
from bot.db import read_only
from bot.entry.composition import build_runtime
from bot.entry.sample_data import HEADER
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Customer, InboundMessage, Invoice, Outbox, Reminder
from bot.services.common.context import Runtime
from bot.services.common.errors import Invalid
from bot.services.delivery.copies import send_copies
from bot.services.delivery.outbox import deliver_due
from bot.services.inbox import mailbox as inbox
from bot.services.inbox.actions import confirm
from bot.services.inbox.replies import send_reply
from bot.services.ledger.importing import ImportFailed, import_invoices
from bot.services.page import page_links
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import suggest
from tests.support.csvfiles import line, write_csv
from tests.support.dkim_signer import signed, trusting
from tests.support.mail_samples import reply
from tests.support.smtp_server import SmtpServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "invoices"
SAMPLES = ("default-invoice", "default-credit-note", "default-corrected-invoice")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
NUMBERS = ("F-101", "F-102", "F-103")


def _documents(tmp_path: Path) -> Path:
    """The documents folder: the three sample PDFs filed as the ledger names them."""
    folder = tmp_path / "documents"
    (folder / "2026").mkdir(parents=True)
    for number, sample in zip(NUMBERS, SAMPLES, strict=True):
        shutil.copy(FIXTURES / f"{sample}.pdf", folder / "2026" / f"{number}.pdf")
    return folder


def _settings(smtp: SmtpServer, documents: Path, **changes: object) -> Settings:
    return replace(
        Settings(
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            mail_from="Relance Demo <ar@relance-demo.example>",
            documents_dir=documents,
            page_secret="page-secret-for-tests",
            public_url="https://pay.relance-demo.example",
            mail_token_secret="test-mail-secret",
        ),
        **changes,  # type: ignore[arg-type]
    )


def _ledger(engine: Engine, tmp_path: Path, pdfs: dict[str, str]) -> int:
    """Customer A with three overdue invoices (40, 30 and 20 days late); its id."""
    rows = [
        line(
            customer_id="A",
            invoice_number=number,
            amount=amount,
            issue_date=(NOW.date() - timedelta(days=late + 30)).isoformat(),
            due_date=(NOW.date() - timedelta(days=late)).isoformat(),
            pdf=pdfs.get(number, ""),
        )
        for number, amount, late in zip(
            NUMBERS, ("1 200,00", "350,50", "99,90"), (40, 30, 20), strict=True
        )
    ]
    path = write_csv(tmp_path / "ledger.csv", rows, header=[*HEADER, "pdf"])
    import_invoices(engine, path, load_mapping())
    with read_only(engine) as session:
        customer = session.exec(select(Customer).where(Customer.external_id == "A")).one()
        assert customer.id is not None
        return customer.id


def _filed(number: str) -> str:
    return f"2026/{number}.pdf"


def _runtime(engine: Engine, settings: Settings) -> Runtime:
    return build_runtime(settings, engine, clock=lambda: NOW)


def _approved_reminder(runtime: Runtime) -> int:
    run = suggest(runtime.engine, runtime.policy, runtime.composer, NOW, NOW.date())
    (reminder,) = run.created
    assert decisions.approve(runtime.drafter(), reminder.id, "UAPPROVE1", now=NOW).won
    return reminder.id


def _events(engine: Engine, kind: str) -> list[dict]:
    with read_only(engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.kind == kind)).all()
    return [json.loads(r.content) for r in rows]


def _pdfs(message) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {
        part.get_filename(): part.get_content()
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    }


def test_a_reminder_carries_the_pdfs_of_the_invoices_it_lists(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    documents = _documents(tmp_path)
    _ledger(engine, tmp_path, {n: _filed(n) for n in NUMBERS})
    runtime = _runtime(engine, _settings(smtp, documents))
    reminder_id = _approved_reminder(runtime)

    report = deliver_due(engine, runtime.settings, "worker-1", now=NOW + timedelta(minutes=1))

    assert report.sent == [reminder_id]
    (got,) = smtp.received
    attached = _pdfs(got.message)
    assert attached == {
        f"{number}.pdf": (FIXTURES / f"{sample}.pdf").read_bytes()
        for number, sample in zip(NUMBERS, SAMPLES, strict=True)
    }
    assert "Acme Ltd." in pypdf.PdfReader(io.BytesIO(attached["F-101.pdf"])).pages[0].extract_text()
    (sent,) = _events(engine, "sent")
    assert sent["attachments"] == ["F-101.pdf", "F-102.pdf", "F-103.pdf"]
    assert sent["linked"] == [] and sent["copies_missing"] == []


def test_past_the_size_cap_copies_are_linked_and_a_missing_one_is_named(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    documents = _documents(tmp_path)
    (documents / "2026" / "F-103.pdf").unlink()  # filed under another name: cannot be found
    _ledger(
        engine,
        tmp_path,
        {
            "F-101": _filed("F-101"),
            "F-102": "https://erp.relance-demo.example/invoices/F-102.pdf",
            "F-103": _filed("F-103"),
        },
    )
    one_file = (FIXTURES / "default-invoice.pdf").stat().st_size
    runtime = _runtime(engine, _settings(smtp, documents, attachments_max_bytes=one_file))
    _approved_reminder(runtime)

    deliver_due(engine, runtime.settings, "worker-1", now=NOW + timedelta(minutes=1))

    (got,) = smtp.received
    assert set(_pdfs(got.message)) == {"F-101.pdf"}
    text = got.message.get_body(("plain",)).get_content()
    assert "Copies des factures trop volumineuses pour être jointes à ce message :" in text
    assert "- F-102: https://erp.relance-demo.example/invoices/F-102.pdf" in text
    assert "F-103" not in text.split("Copies des factures")[1]  # no link to nothing
    html = got.message.get_body(("html",)).get_content()
    assert 'href="https://erp.relance-demo.example/invoices/F-102.pdf"' in html
    (sent,) = _events(engine, "sent")
    assert sent["linked"] == ["F-102"] and sent["copies_missing"] == ["F-103"]


def test_a_copy_over_the_cap_on_disk_is_linked_through_the_page(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    documents = _documents(tmp_path)
    _ledger(engine, tmp_path, {n: _filed(n) for n in NUMBERS[:2]})
    one_file = (FIXTURES / "default-invoice.pdf").stat().st_size
    runtime = _runtime(engine, _settings(smtp, documents, attachments_max_bytes=one_file))
    _approved_reminder(runtime)
    deliver_due(engine, runtime.settings, "worker-1", now=NOW + timedelta(minutes=1))
    (got,) = smtp.received
    text = got.message.get_body(("plain",)).get_content()
    assert set(_pdfs(got.message)) == {"F-101.pdf"}
    assert "- F-102: https://pay.relance-demo.example/pay/" in text
    assert text.rstrip().endswith("/invoice?n=F-102")


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        ("../../etc/F-101.pdf", "must be a path inside the documents folder"),
        ("http://erp.example.com/F-101.pdf", "an address must start with https://"),
    ],
)
def test_an_import_refuses_a_copy_outside_the_folder_naming_line_and_column(
    engine: Engine, tmp_path: Path, cell: str, why: str
) -> None:
    with pytest.raises(ImportFailed) as failed:
        _ledger(engine, tmp_path, {"F-102": cell})
    (error,) = failed.value.errors
    assert (error.line, error.column) == (3, "pdf") and why in str(error.message)
    with read_only(engine) as session:
        assert session.exec(select(Invoice)).all() == []  # nothing imported


def _copy_request(
    engine: Engine, settings: Settings, in_reply_to: str = "", authenticated: bool = True
) -> int:
    """The customer's accounts team asks for copies; signed by its domain (DKIM) unless not."""
    mail = reply(
        sender="Compta Atelier <compta@atelier.example>",
        subject="Re: Relance facture F-101",
        text="Bonjour, pourriez-vous nous renvoyer les factures ? Merci.",
        in_reply_to=in_reply_to,
    )
    mail.replace_header("Message-ID", "<ask-copies-1@atelier.example>")
    raw = signed(mail) if authenticated else mail.as_bytes()
    handled = inbox.record(engine, "INBOX", 1, 1, raw, NOW, trusting(settings))
    assert handled is not None and handled.kind == "copy_request"
    return handled.id


def test_send_copies_answers_the_request_once_with_the_invoices_and_a_statement(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    documents = _documents(tmp_path)
    customer_id = _ledger(engine, tmp_path, {n: _filed(n) for n in NUMBERS})
    runtime = _runtime(engine, _settings(smtp, documents))
    inbound_id = _copy_request(engine, runtime.settings)
    with read_only(engine) as session:  # a person wrote: the ladder holds until someone acts
        customer = session.get(Customer, customer_id)
        assert customer is not None and customer.paused

    def page(cid: int) -> str:
        return page_links.page_url(engine, runtime.settings, cid, NOW)

    queued = send_copies(engine, runtime.settings, inbound_id, "UAPPROVE1", NOW, page)
    assert queued.numbers == NUMBERS and queued.to == "compta@atelier.example"
    with pytest.raises(Invalid, match="answered already"):
        send_copies(engine, runtime.settings, inbound_id, "UAPPROVE2", NOW, page)

    report = deliver_due(engine, runtime.settings, "worker-1", now=NOW + timedelta(minutes=1))

    assert report.sent == [queued.reminder_id]  # the hold on the customer does not stop it
    (got,) = smtp.received
    message = got.message
    assert message["To"] == "compta@atelier.example"
    assert message["In-Reply-To"] == "<ask-copies-1@atelier.example>"
    assert message["Subject"] == "Re: Relance facture F-101"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Bonjour Jean Lefèvre,")
    assert "En pièce jointe : F-101, F-102, F-103." in text
    assert "https://pay.relance-demo.example/pay/" in text
    attached = _pdfs(message)
    assert set(attached) == {
        "F-101.pdf",
        "F-102.pdf",
        "F-103.pdf",
        "releve-de-compte-2026-11-26.pdf",
    }
    statement = pypdf.PdfReader(io.BytesIO(attached["releve-de-compte-2026-11-26.pdf"]))
    words = " ".join(statement.pages[0].extract_text().replace("\u202f", " ").split())
    assert "Relevé de compte" in words and "Atelier Lefèvre" in words
    assert "Total dû : 1 650,40 €" in words.replace("\xa0", " ")
    with read_only(engine) as session:
        answer = session.get(Reminder, queued.reminder_id)
        outbox = session.exec(select(Outbox).where(Outbox.reminder_id == queued.reminder_id)).one()
    assert answer is not None and answer.stage == f"copies-{inbound_id}"
    assert answer.decided_by == "UAPPROVE1" and outbox.state == "sent"
    (asked,) = _events(engine, "copies")
    assert asked["inbound_id"] == inbound_id and asked["to"] == "compta@atelier.example"
    (sent,) = _events(engine, "sent")
    assert len(sent["attachments"]) == 4


def test_copies_without_a_documents_folder_send_the_statement_alone(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    _ledger(engine, tmp_path, {n: _filed(n) for n in NUMBERS})
    runtime = _runtime(engine, _settings(smtp, tmp_path / "documents", documents_dir=None))
    inbound_id = _copy_request(engine, runtime.settings)
    send_copies(engine, runtime.settings, inbound_id, "UAPPROVE1", NOW, lambda _cid: "")
    deliver_due(engine, runtime.settings, "worker-1", now=NOW + timedelta(minutes=1))
    (got,) = smtp.received
    assert set(_pdfs(got.message)) == {"releve-de-compte-2026-11-26.pdf"}
    (sent,) = _events(engine, "sent")
    assert sent["copies_missing"] == list(NUMBERS)


def test_a_persons_own_answer_goes_as_written_without_copies(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    documents = _documents(tmp_path)
    _ledger(engine, tmp_path, {n: _filed(n) for n in NUMBERS})
    runtime = _runtime(engine, _settings(smtp, documents))
    reminder_id = _approved_reminder(runtime)
    deliver_due(engine, runtime.settings, "worker-1", now=NOW + timedelta(minutes=1))
    inbound_id = _copy_request(engine, runtime.settings, message_id(reminder_id, runtime.settings))
    with read_only(engine) as session:  # it answers the reminder: the reply lists its invoices
        assert session.get(InboundMessage, inbound_id).reminder_id == reminder_id  # type: ignore[union-attr]
    send_reply(engine, inbound_id, "Nous vous rappelons demain.", "UAPPROVE1", NOW)
    deliver_due(engine, runtime.settings, "worker-1", now=NOW + timedelta(minutes=2))
    first, answer = smtp.received
    assert len(_pdfs(first.message)) == 3
    assert _pdfs(answer.message) == {}
    assert answer.message.get_content().strip() == "Nous vous rappelons demain."


def test_copies_go_only_to_a_sender_vouched_for(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    """Anyone can write a customer's name in a header: an unauthenticated request gets no
    copies until a person confirms the message is the customer's."""
    documents = _documents(tmp_path)
    _ledger(engine, tmp_path, {n: _filed(n) for n in NUMBERS})
    runtime = _runtime(engine, _settings(smtp, documents))
    inbound_id = _copy_request(engine, runtime.settings, authenticated=False)
    with pytest.raises(Invalid, match="Confirm first"):
        send_copies(engine, runtime.settings, inbound_id, "UAPPROVE1", NOW, lambda _cid: "")
    confirm(engine, inbound_id, "UAPPROVE1", NOW.date())
    send_copies(engine, runtime.settings, inbound_id, "UAPPROVE1", NOW, lambda _cid: "")
    deliver_due(engine, runtime.settings, "worker-1", now=NOW + timedelta(minutes=1))
    (got,) = smtp.received
    assert got.message["To"] == "compta@atelier.example" and len(_pdfs(got.message)) == 4
