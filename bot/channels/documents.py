"""Invoice PDFs from the documents folder: a stored path is resolved under the folder, links
followed, and refused if it ends outside; only files that start as a PDF are read, bounded."""

from __future__ import annotations

from pathlib import Path

PDF_MAGIC = b"%PDF-"
MAX_FILE_BYTES = 20_000_000


class DocumentMissing(Exception):
    """A file that cannot be given: outside the folder, absent, too large or not a PDF."""


def locate(folder: Path | None, reference: str) -> Path:
    """The file a stored relative path names, inside `folder` (symlinks resolved)."""
    if folder is None:
        raise DocumentMissing("no documents folder is configured (RELANCE_DOCUMENTS_DIR)")
    root = folder.resolve()
    path = (root / reference).resolve()
    if not path.is_relative_to(root) or path == root:
        raise DocumentMissing(f"{reference!r} is outside the documents folder")
    if not path.is_file():
        raise DocumentMissing(f"{reference!r} is not in the documents folder")
    return path


def size_of(folder: Path | None, reference: str) -> int:
    path = locate(folder, reference)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DocumentMissing(f"{reference!r} is larger than {MAX_FILE_BYTES:,} bytes")
    return size


def read_pdf(folder: Path | None, reference: str) -> bytes:
    """The file's bytes, when it is a PDF no larger than MAX_FILE_BYTES."""
    path = locate(folder, reference)
    with path.open("rb") as file:
        content = file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise DocumentMissing(f"{reference!r} is larger than {MAX_FILE_BYTES:,} bytes")
    if not content.startswith(PDF_MAGIC):
        raise DocumentMissing(f"{reference!r} is not a PDF file")
    return content
