"""What a file is, read from its first bytes (never from its name or the type a browser
claims), and the name it may be shown under: a customer's file and the company's logo are
both data from outside."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str
    magic: bytes


PDF = FileType("application/pdf", "pdf", b"%PDF-")
PNG = FileType("image/png", "png", b"\x89PNG\r\n\x1a\n")
JPEG = FileType("image/jpeg", "jpg", b"\xff\xd8\xff")
IMAGES = (PNG, JPEG)
DOCUMENTS = (PDF, PNG, JPEG)

MAX_NAME = 100  # characters of a file's name kept for showing it
_UNSAFE = re.compile(r"[^\w .()+-]+")


def sniff(data: bytes, allowed: Collection[FileType] = DOCUMENTS) -> FileType | None:
    """The allowed type whose signature `data` starts with, else None."""
    return next((kind for kind in allowed if data.startswith(kind.magic)), None)


def is_crafted_name(name: str) -> bool:
    """A name no browser sends for a file picked: a path (either slash, a `..`), a control
    character, or longer than any file system allows."""
    return (
        len(name) > 255
        or "/" in name
        or "\\" in name
        or name.strip() in (".", "..")
        or any(unicodedata.category(c) == "Cc" for c in name)
    )


def safe_filename(name: str, kind: FileType) -> str:
    """A name to show and save the file under: its last path segment only (no folder, on any
    system), letters, digits and a few marks, no leading dot, bounded, and ending with the
    extension of what the file really is ("../../etc/passwd" of a PDF is "passwd.pdf")."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    stem = _UNSAFE.sub("_", "".join(c for c in stem if unicodedata.category(c)[0] != "C"))
    stem = stem.strip(" ._")[: MAX_NAME - len(kind.extension) - 1] or "file"
    return f"{stem}.{kind.extension}"
