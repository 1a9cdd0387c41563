"""A dispute sent from the customer's page with one supporting file, on both databases: sent
by HTTP as a browser sends it (multipart) and from Chromium; kept byte for byte with its hash
in the audit trail; shown on the dispute's Slack message through a signed link that expires;
and hostile files (wrong bytes, too large, a path for a name) refused with the reason named
and nothing recorded."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from sqlmodel import func, select

from bot.db import read_only
from bot.models import Dispute, DisputeFile
from bot.services.page import dispute_files
from tests.support.fake_slack import violations_mark, violations_since
from tests.support.multipart import encode
from tests.support.page_world import PageWorld

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n" + bytes(range(256)) * 40 + b"\r\n%%EOF\r\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


def send(
    page_world: PageWorld, url: str, filename: str, content: bytes, **fields: str
) -> tuple[int, str]:
    """The dispute form with its file, as a browser posts it."""
    form = {
        "csrf": page_world.csrf(url),
        "invoice": "F-103",
        "reason": "quality",
        "text": "Les pièces sont arrivées cassées.",
        "lang": "fr",
        **fields,
    }
    body, kind = encode(form, {"file": (filename, content, "application/pdf")})
    request = Request(f"{url}/dispute", data=body, method="POST")
    request.add_header("Content-Type", kind)
    try:
        with urlopen(request, timeout=60) as answer:  # a redirect is followed: the thank-you
            return answer.status, answer.read().decode()
    except HTTPError as refused:
        return refused.code, refused.read().decode()


def stored(page_world: PageWorld) -> tuple[int, int]:
    with read_only(page_world.engine) as session:
        return (
            session.exec(select(func.count()).select_from(Dispute)).one(),
            session.exec(select(func.count()).select_from(DisputeFile)).one(),
        )


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urlopen(url, timeout=30) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except HTTPError as refused:
        return refused.code, refused.read(), dict(refused.headers)


def test_a_file_sent_with_a_dispute_is_kept_shown_to_staff_and_audited(
    page_world: PageWorld,
) -> None:
    mark = violations_mark()
    url = page_world.link("A")
    status, body = send(page_world, url, "bon de livraison.pdf", PDF)
    assert status == 200 and "suspendons nos relances" in body
    with read_only(page_world.engine) as session:
        kept = session.exec(select(DisputeFile)).one()
        dispute = session.exec(select(Dispute)).one()
    assert (kept.content, kept.filename, kept.content_type) == (
        PDF,
        "bon de livraison.pdf",
        "application/pdf",
    )
    assert dispute.reason == "quality: Les pièces sont arrivées cassées."
    (event,) = page_world.events("page_dispute_file")
    content = json.loads(event.content)
    assert content["sha256"] == hashlib.sha256(PDF).hexdigest() and content["size"] == len(PDF)
    assert event.invoice_numbers == "F-103"

    # the dispute's message in Slack carries the signed link, the file never
    (news,) = page_world.news()
    text = json.dumps(news["blocks"])
    prefix = f"{page_world.base}/pay/{dispute_files.ROUTE}/"
    assert prefix in text and "bon de livraison.pdf" in text and "14 days" in text
    link = text.split(prefix)[1].split("|")[0]
    status, got, headers = fetch(prefix + link)
    assert status == 200 and got == PDF
    assert headers["Content-Disposition"].startswith("attachment;")  # never shown inline
    assert headers["Content-Type"] == "application/pdf"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert len(page_world.events("dispute_file_opened")) == 1
    assert violations_since(mark) == []  # the strict fake Slack took every call

    # a link altered, or signed longer ago than it holds, gives nothing
    assert fetch(prefix + link[:-2] + "xx")[0] == 403
    old = dispute_files.staff_link(
        page_world.runtime.settings,
        kept.id or 0,
        page_world.runtime.now() - timedelta(days=dispute_files.FILE_LINK_DAYS, seconds=1),
    )
    assert fetch(old.replace(page_world.runtime.settings.public_url, page_world.base))[0] == 403
    assert len(page_world.events("dispute_file_opened")) == 1


@pytest.mark.parametrize(
    ("filename", "content", "words", "status"),
    [
        # an executable named as a PDF: the bytes say what it is
        ("facture.pdf", b"MZ\x90\x00\x03" + bytes(500), "PDF, PNG ou JPEG", 400),
        ("page.png", b"<html><script>alert(1)</script>", "PDF, PNG ou JPEG", 400),
        # a real PDF one byte past the bound, within the body's
        ("gros.pdf", PDF[:8] + bytes(dispute_files.MAX_BYTES - 7), "dépasse 5 Mo", 400),
        # a body past the page's bound: refused as read, unread beyond it
        ("énorme.pdf", PDF[:8] + bytes(7 * 1024 * 1024), "dépasse 5 Mo", 413),
        # a path for a name: no browser sends one
        ("../../../etc/passwd.pdf", PDF, "nom du fichier", 400),
        ("/etc/cron.d/x.pdf", PDF, "nom du fichier", 400),
    ],
)
def test_a_hostile_file_is_refused_with_its_reason_and_nothing_is_recorded(
    page_world: PageWorld, filename: str, content: bytes, words: str, status: int
) -> None:
    status_got, body = send(page_world, page_world.link("A"), filename, content)
    assert status_got == status and words in body.replace("\u202f", " ")
    assert "rien n’a été enregistré" in body
    assert stored(page_world) == (0, 0)
    assert not page_world.events("dispute") and not page_world.events("page_dispute_file")
    assert page_world.news() == []


def test_backslashes_in_a_name_leave_no_folder_in_what_is_kept(page_world: PageWorld) -> None:
    """A quoted name's backslashes are escapes (RFC 7578 §4.2 quoting): what is left names no
    folder, and is cleaned further."""
    status, _body = send(page_world, page_world.link("A"), "..\\..\\win.pdf", PDF)
    with read_only(page_world.engine) as session:
        kept = session.exec(select(DisputeFile)).one()
    assert status == 200 and kept.filename == "win.pdf"


def test_a_dispute_without_a_file_or_without_its_csrf_token(page_world: PageWorld) -> None:
    url = page_world.link("A")
    body, kind = encode({"csrf": "0" * 64, "invoice": "F-103", "reason": "other", "text": "x"}, {})
    request = Request(f"{url}/dispute", data=body, method="POST")
    request.add_header("Content-Type", kind)
    with pytest.raises(HTTPError) as refused:
        urlopen(request, timeout=30)
    assert refused.value.code == 403 and stored(page_world) == (0, 0)
    # the form with no file picked opens the dispute alone, as before
    status, _body = send(page_world, url, "", b"")
    assert status == 200 and stored(page_world) == (1, 0)
    # and the plain form still works (a browser without the file input's encoding)
    answer = page_world.post(
        url, "dispute", {"invoice": "F-101", "reason": "other", "text": "Pas reçu"}
    )
    assert answer.status == 303 and stored(page_world) == (2, 0)


@pytest.fixture
def tab(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    yield context.new_page()
    context.close()


def test_a_file_picked_in_chromium_reaches_the_dispute(
    page_world: PageWorld, tab, tmp_path: Path
) -> None:
    scan = tmp_path / "photo du colis.png"
    scan.write_bytes(PNG)
    tab.goto(page_world.link("A"))
    tab.get_by_text("Je conteste une facture").click()
    form = tab.locator("form[action$='/dispute']")
    form.get_by_label("F-103").check()
    form.get_by_label("Motif").select_option("quality")
    form.get_by_label("Précisez").fill("Le colis est arrivé écrasé.")
    form.get_by_label("Un justificatif").set_input_files(str(scan))
    form.get_by_role("button", name="Envoyer").click()
    assert "suspendons nos relances" in tab.get_by_role("status").inner_text()
    with read_only(page_world.engine) as session:
        kept = session.exec(select(DisputeFile)).one()
    assert (kept.content, kept.filename, kept.content_type) == (
        PNG,
        "photo du colis.png",
        "image/png",
    )

    # a file that is not what its name says: the reason in the banner, the dispute not opened
    fake = tmp_path / "facture.pdf"
    fake.write_bytes(b"#!/bin/sh\nrm -rf /\n")
    tab.get_by_text("Je conteste une facture").click()
    form = tab.locator("form[action$='/dispute']")
    form.get_by_label("F-101").check()
    form.get_by_label("Précisez").fill("Montant faux.")
    form.get_by_label("Un justificatif").set_input_files(str(fake))
    form.get_by_role("button", name="Envoyer").click()
    assert "PDF, PNG ou JPEG" in tab.get_by_role("alert").inner_text()
    assert stored(page_world) == (1, 1)


def post_raw(url: str, body: bytes, kind: str) -> tuple[int, str]:
    request = Request(url, data=body, method="POST")
    request.add_header("Content-Type", kind)
    try:
        with urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except HTTPError as refused:
        return refused.code, refused.read().decode()


def test_a_body_that_is_no_form_a_forged_link_and_the_rate_limit(page_world: PageWorld) -> None:
    url = page_world.link("A")
    junk = "multipart/form-data; boundary=nothing-here"
    status, body = post_raw(f"{url}/dispute", b"\x00garbage" * 1000, junk)
    assert status == 400 and "n’a pas pu être lu" in body  # in the customer's language
    forged = url.rsplit("/", 1)[0] + "/forged-token"
    assert post_raw(f"{forged}/dispute", *encode({}, {"file": ("a.pdf", PDF, "x")}))[0] == 403
    # the link's posts this minute, junk included, count before a file is read
    for _ in range(19):
        assert post_raw(f"{url}/dispute", b"junk", junk)[0] == 400
    status, _body = send(page_world, url, "bon.pdf", PDF)
    assert status == 429 and stored(page_world) == (0, 0)
