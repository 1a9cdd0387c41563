"""Copies of invoices: where an invoice's PDF is (as the ledger names it) and which of a
message's copies travel attached and which as a link.

A ledger names a PDF by a path relative to the documents folder Relance is given, or by an
https address. Nothing here opens a file: a name that could leave the folder (`..`, an absolute
path, a drive) or an address that is not https is refused when the ledger is read, so what is
stored can only ever be resolved inside the folder (the channel checks again, symlinks
included).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from bot.domain.msgid import Refused, phrase

MAX_REFERENCE = 500
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\\\u2028\u2029]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_url(reference: str) -> bool:
    return reference.startswith("https://")


def check_pdf_reference(text: str) -> str:
    """The reference as stored: an https URL, or a relative path of plain parts (forward
    slashes). `Refused` (a ValueError), naming what is wrong, for anything else."""
    value = text.strip()
    if len(value) > MAX_REFERENCE:
        raise Refused(phrase("is longer than {limit} characters", limit=MAX_REFERENCE))
    if _UNSAFE.search(value):
        raise Refused(phrase("contains a control character or a backslash"))
    if _SCHEME.match(value):
        if not is_url(value):
            raise Refused(
                phrase("{text}: an address must start with https://", text=repr(value[:60]))
            )
        parts = urlsplit(value)
        if not parts.hostname or " " in value or parts.username or parts.password:
            raise Refused(phrase("{text} is not a usable https address", text=repr(value[:60])))
        return value
    path = PurePosixPath(value)
    if path.is_absolute() or any(p in ("..", "") for p in value.split("/")):
        raise Refused(
            phrase("{text} must be a path inside the documents folder", text=repr(value[:60]))
        )
    if path.suffix.lower() != ".pdf":
        raise Refused(phrase("{text} is not a .pdf file", text=repr(value[:60])))
    return value


@dataclass(frozen=True)
class Copy:
    """One invoice's PDF as a message carries it."""

    number: str
    reference: str  # the stored path or URL
    size: int | None  # bytes of a readable file; None for an address or a missing file


@dataclass(frozen=True)
class Packing:
    attached: tuple[Copy, ...]
    linked: tuple[Copy, ...]  # too large to attach within the cap, or only an address


def pack(copies: Sequence[Copy], cap_bytes: int) -> Packing:
    """Files attached in the message's order while their total stays within the cap; the
    rest, and every address, given as links (a missing file is neither)."""
    attached: list[Copy] = []
    linked: list[Copy] = []
    total = 0
    for copy in copies:
        if copy.size is not None and total + copy.size <= cap_bytes:
            attached.append(copy)
            total += copy.size
        elif copy.size is not None or is_url(copy.reference):
            linked.append(copy)
    return Packing(tuple(attached), tuple(linked))
