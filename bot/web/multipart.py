"""A form sent as multipart/form-data (the dispute form, which may carry a file), read with a
bound and parsed by the standard library's e-mail parser: the body is read up to `limit` bytes
whatever Content-Length says (a chunked body says nothing), and a larger one is refused unread
beyond the bound."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from wsgiref.types import WSGIEnvironment

MAX_PARTS = 200  # more fields than any of the page's forms has: a hostile body is refused


class BodyTooLarge(Exception):
    """The body goes beyond the bound: nothing of it is used. `read`: the bytes taken from
    the stream already."""

    def __init__(self, read: int):
        super().__init__(read)
        self.read = read


class NotAForm(Exception):
    """A body that is not the multipart form it says it is."""


@dataclass(frozen=True)
class Upload:
    filename: str  # as the browser sent it: data, cleaned before any use
    content: bytes


@dataclass(frozen=True)
class Form:
    fields: dict[str, list[str]]
    files: dict[str, Upload]  # a field's first file; a file input left empty sends none


def is_multipart(environ: WSGIEnvironment) -> bool:
    return str(environ.get("CONTENT_TYPE", "")).lower().startswith("multipart/form-data")


def read_bounded(environ: WSGIEnvironment, limit: int) -> bytes:
    """At most `limit` bytes of the body; BodyTooLarge when there is more (declared, or read
    from a body of no declared length)."""
    try:
        declared = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        declared = -1
    if declared > limit:
        raise BodyTooLarge(0)
    stream = environ["wsgi.input"]
    # never past a declared length (a server may hand over the socket, where a read waits);
    # with none, one byte past the bound tells a larger body
    most = declared if declared >= 0 else limit + 1
    chunks, size = [], 0
    while size < most:
        chunk = stream.read(min(65_536, most - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise BodyTooLarge(size)
    return b"".join(chunks)


def parse(body: bytes, content_type: str, field_limit: int) -> Form:
    """The fields (UTF-8 text, each at most `field_limit` bytes) and files of a form body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise NotAForm
    fields: dict[str, list[str]] = {}
    files: dict[str, Upload] = {}
    parts = message.get_payload()
    if not isinstance(parts, list) or len(parts) > MAX_PARTS or message.defects:
        raise NotAForm
    for part in parts:
        if not isinstance(part, EmailMessage) or part.get_content_disposition() != "form-data":
            raise NotAForm
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise NotAForm
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):
            raise NotAForm
        filename = part.get_filename()
        if filename is not None:
            if (filename or content) and name not in files:
                files[name] = Upload(filename, content)
            continue
        if len(content) > field_limit:
            raise NotAForm
        fields.setdefault(name, []).append(content.decode("utf-8", errors="replace"))
    return Form(fields, files)
