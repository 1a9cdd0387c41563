"""Copies on the customer's page, over HTTP: each invoice's PDF and a statement of account,
downloaded as files (never shown inline), only by the link's holder and only for their own
invoices; the statement's figures, read back from the PDF with pypdf, are the page's."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request

import pypdf
import sqlalchemy as sa
from sqlmodel import col

from bot.db import unit_of_work
from bot.models import Invoice
from tests.support.page_world import PageWorld, _opener, http
from tests.support.slack_fixtures import reconfigure

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "invoices" / "default-invoice.pdf"
ROW = re.compile(r'<tr data-invoice="([^"]+)">(.*?)</tr>', re.S)
CELL = re.compile(r'class="num">([^<]+)</td>')
TOTAL = re.compile(r'<p class="total">[^<]*<span class="amount">([^<]+)</span>')


@dataclass
class Download:
    status: int
    body: bytes
    headers: dict[str, str]


def download(url: str) -> Download:
    try:
        with _opener.open(Request(url), timeout=30) as response:
            return Download(response.status, response.read(), dict(response.headers))
    except HTTPError as exc:
        return Download(exc.code, exc.read(), dict(exc.headers))


def _file_copies(world: PageWorld, tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "F-101.pdf")
    shutil.copy(SAMPLE, folder / "D-201.pdf")
    reconfigure(world.runtime, documents_dir=folder)
    pdfs = {
        "F-101": "F-101.pdf",
        "F-102": "https://erp.relance-demo.example/F-102.pdf",
        "D-201": "D-201.pdf",  # customer B's
    }
    with unit_of_work(world.engine) as session:
        for number, pdf in pdfs.items():
            session.exec(sa.update(Invoice).where(col(Invoice.number) == number).values(pdf=pdf))


def _plain(text: str) -> str:
    return " ".join(html.unescape(text).replace("\u202f", " ").replace("\xa0", " ").split())


def test_each_invoice_copy_is_a_download_for_the_link_holder_only(
    page_world: PageWorld, tmp_path: Path
) -> None:
    _file_copies(page_world, tmp_path)
    link = page_world.link("A")
    page = http("GET", link).body
    assert 'href="/pay/' in page and "/invoice?n=F-101" in page and "Copie PDF" in page
    assert "/invoice?n=F-103" not in page  # no copy on file: no link

    got = download(f"{link}/invoice?n=F-101")
    assert got.status == 200 and got.body == SAMPLE.read_bytes()
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"] == 'attachment; filename="F-101.pdf"'
    assert got.headers["X-Content-Type-Options"] == "nosniff"

    away = download(f"{link}/invoice?n=F-102")
    assert away.status == 303
    assert away.headers["Location"] == "https://erp.relance-demo.example/F-102.pdf"

    assert download(f"{link}/invoice?n=D-201").status == 404  # another customer's invoice
    assert download(f"{link}/invoice?n=F-103").status == 404  # no copy on file
    forged = link[: link.rindex("/") + 1] + "not-a-token"
    refused = download(f"{forged}/invoice?n=F-101")
    assert refused.status == 403 and b"%PDF" not in refused.body
    taken = page_world.events("page_copy")
    assert [(e.invoice_numbers, e.channel) for e in taken] == [("F-101", "page"), ("F-102", "page")]


def test_the_statement_says_what_the_page_says(page_world: PageWorld, tmp_path: Path) -> None:
    _file_copies(page_world, tmp_path)
    link = page_world.link("A")
    page = http("GET", link).body
    balances = {number: _plain(CELL.findall(row)[1]) for number, row in ROW.findall(page)}
    totals = [_plain(t) for t in TOTAL.findall(page)]
    assert set(balances) == {"F-101", "F-102", "F-103"} and len(totals) == 1

    got = download(f"{link}/statement")
    assert got.status == 200 and got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith('attachment; filename="releve-de-compte-')
    text = pypdf.PdfReader(io.BytesIO(got.body)).pages[0].extract_text()
    lines = [_plain(line) for line in text.splitlines()]
    for number, balance in balances.items():
        (row,) = [line for line in lines if line.startswith(f"{number} ")]
        assert row.endswith(balance), (row, balance)
    assert f"Total dû : {totals[0]}" in lines
    assert "Relevé de compte" in lines and page_world.runtime.settings.company_name in lines
    assert [json.loads(e.content)["document"] for e in page_world.events("page_copy")] == [
        "statement"
    ]


def test_the_statement_is_in_the_customers_language(page_world: PageWorld) -> None:
    got = download(f"{page_world.link('B')}/statement")
    text = _plain(pypdf.PdfReader(io.BytesIO(got.body)).pages[0].extract_text())
    assert "Kontoauszug" in text and "Offene Posten" in text and "Gesamt offen: 2.500,00 €" in text
    assert got.headers["Content-Disposition"].startswith('attachment; filename="kontoauszug-')
