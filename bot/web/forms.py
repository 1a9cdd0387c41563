"""What a request to the page carries, read within bounds: the form (or the dispute form with its
file), the client's address and visit cookie, a refused body drained, a download's disposition."""

from __future__ import annotations

from urllib.parse import parse_qs, quote
from wsgiref.types import WSGIEnvironment

from bot.services.page import (
    dispute_files,
)
from bot.services.page.page_visits import Visit
from bot.web import multipart

VISITED = "relance_visited"  # a cookie that tells a returning browser from a first fetch
MAX_FORM_BYTES = 16_384


#: a dispute's form with its file: the file's bound, the fields and the multipart framing
MAX_UPLOAD_BYTES = dispute_files.MAX_BYTES + MAX_FORM_BYTES


#: the most of a refused body read and dropped, so the browser gets to read the refusal
MAX_DRAINED_BYTES = 4 * MAX_UPLOAD_BYTES


#: the fields where a line break belongs: the customer's text, and the invoices ticked (one per
#: line; each must still be one of the customer's own numbers)
MULTILINE = frozenset({"text", "invoice"})


def _client(environ: WSGIEnvironment) -> str:
    return str(environ.get("REMOTE_ADDR", ""))


def _visit(environ: WSGIEnvironment) -> Visit:
    cookies = str(environ.get("HTTP_COOKIE", ""))
    returning = any(c.strip().startswith(f"{VISITED}=") for c in cookies.split(";"))
    return Visit(_client(environ), str(environ.get("HTTP_USER_AGENT", "")), returning)


def _attachment(filename: str) -> str:
    """A download's disposition: an ASCII name for old clients, the real one (RFC 6266)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _drain(environ: WSGIEnvironment, already: int) -> None:
    """Read and drop what is left of a refused body (never past its declared length, where a
    read would wait), up to a bound, so the client is not cut off before it reads the refusal."""
    stream = environ["wsgi.input"]
    try:
        declared = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        declared = -1
    left = MAX_DRAINED_BYTES if declared < 0 else min(MAX_DRAINED_BYTES, declared - already)
    while left > 0 and (chunk := stream.read(min(65_536, left))):
        left -= len(chunk)


def _upload_form(environ: WSGIEnvironment) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """The dispute form sent with its file: fields as `_form` gives them, and the file."""
    body = multipart.read_bounded(environ, MAX_UPLOAD_BYTES)
    parsed = multipart.parse(body, str(environ.get("CONTENT_TYPE", "")), MAX_FORM_BYTES)
    form = {k: "\n".join(v) if k == "invoice" else v[0] for k, v in parsed.fields.items()}
    sent = parsed.files.get("file")
    return form, (sent.filename, sent.content) if sent else None


def _form(environ: WSGIEnvironment) -> dict[str, str]:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM_BYTES)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length).decode("utf-8", errors="replace")
    # several invoices ticked: one a line (the only field the page repeats)
    return {
        k: "\n".join(v) if k == "invoice" else v[0]
        for k, v in parse_qs(raw, keep_blank_values=True).items()
    }
