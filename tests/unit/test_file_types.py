"""A file's type read from its bytes, its name made safe, and the dispute form's multipart body
read with a bound and parsed back byte for byte."""

from __future__ import annotations

import io
import os

import pytest

from bot.domain.file_types import JPEG, PDF, PNG, is_crafted_name, safe_filename, sniff
from bot.web.multipart import BodyTooLarge, NotAForm, parse, read_bounded
from tests.support.multipart import encode


def test_the_type_comes_from_the_bytes_not_the_name() -> None:
    assert sniff(b"%PDF-1.7\n...") is PDF
    assert sniff(b"\x89PNG\r\n\x1a\n....") is PNG
    assert sniff(b"\xff\xd8\xff\xe0JFIF") is JPEG
    for hostile in (b"MZ\x90\x00 a program", b"<html><script>", b"%PD", b"", b"GIF89a"):
        assert sniff(hostile) is None
    assert sniff(b"%PDF-1.7", allowed=(PNG, JPEG)) is None  # a logo is no PDF


@pytest.mark.parametrize(
    ("name", "kind", "safe"),
    [
        ("facture mars.pdf", PDF, "facture mars.pdf"),
        ("photo.PNG", PNG, "photo.png"),
        ("scan.exe", PDF, "scan.pdf"),  # the name's extension follows the bytes
        (".htaccess", PDF, "htaccess.pdf"),
        ("Lieferschein (Kopie).jpeg", JPEG, "Lieferschein (Kopie).jpg"),
        ("a<b>c;d|e.pdf", PDF, "a_b_c_d_e.pdf"),
        ("", PDF, "file.pdf"),
        ("x" * 300 + ".pdf", PDF, "x" * 96 + ".pdf"),
    ],
)
def test_a_name_is_shown_clean(name: str, kind: object, safe: str) -> None:
    assert safe_filename(name, kind) == safe  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\boot.ini", "a/b.pdf", "..", "x\x00.pdf", "y" * 256]
)
def test_a_path_or_a_control_character_is_no_name_a_browser_sends(name: str) -> None:
    assert is_crafted_name(name)


def test_plain_names_are_not_crafted() -> None:
    assert not any(is_crafted_name(n) for n in ("facture.pdf", "..pdf", "Ré sumé (2).png"))


@pytest.mark.parametrize(
    "content", [os.urandom(200_000) + b"\r\n--x\r\n\r\n", b"", b"\r\n", b"%PDF-1.4\n\r\n"]
)
def test_the_form_s_file_comes_back_byte_for_byte(content: bytes) -> None:
    body, kind = encode(
        {"csrf": "t", "text": "Les pièces\r\nsont cassées", "invoice": ["F-1", "F-2"]},
        {"file": ("bon.pdf", content, "application/pdf")},
    )
    form = parse(body, kind, 16_384)
    assert form.fields == {
        "csrf": ["t"],
        "text": ["Les pièces\r\nsont cassées"],
        "invoice": ["F-1", "F-2"],
    }
    assert form.files["file"].content == content and form.files["file"].filename == "bon.pdf"


def test_an_empty_file_input_sends_no_file() -> None:
    body, kind = encode({"csrf": "t"}, {"file": ("", b"", "application/octet-stream")})
    assert parse(body, kind, 16_384).files == {}


def test_a_field_past_its_bound_or_a_body_that_is_no_form_is_refused() -> None:
    body, kind = encode({"text": "x" * 20_000}, {})
    with pytest.raises(NotAForm):
        parse(body, kind, 16_384)
    with pytest.raises(NotAForm):
        parse(b"just text", "multipart/form-data; boundary=nothing", 16_384)


def test_the_body_is_read_no_further_than_its_bound_whatever_it_declares() -> None:
    stream = io.BytesIO(b"a" * 1000)
    with pytest.raises(BodyTooLarge) as declared:
        read_bounded({"CONTENT_LENGTH": "1000", "wsgi.input": stream}, 999)
    assert declared.value.read == 0 and stream.tell() == 0  # not read at all
    # no length declared (chunked): read one byte past the bound, then refused
    stream = io.BytesIO(b"a" * 1000)
    with pytest.raises(BodyTooLarge) as sent:
        read_bounded({"wsgi.input": stream}, 500)
    assert sent.value.read == 501 and stream.tell() == 501
    # declared small, sent large: never read past what was declared
    stream = io.BytesIO(b"a" * 1000)
    assert read_bounded({"CONTENT_LENGTH": "10", "wsgi.input": stream}, 500) == b"a" * 10
    assert read_bounded({"CONTENT_LENGTH": "3", "wsgi.input": io.BytesIO(b"abc")}, 500) == b"abc"
