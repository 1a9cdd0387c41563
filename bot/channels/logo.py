"""The company's logo file (`RELANCE_COMPANY_LOGO`), read with a bound and its type checked
by its bytes, for the page (inline data) and the e-mails (an inline image the HTML names by
Content-ID). A missing, too large or unknown file gives no logo rather than a broken image."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from bot.domain.file_types import IMAGES, FileType, sniff

MAX_LOGO_BYTES = 200_000


@dataclass(frozen=True)
class Logo:
    content: bytes
    kind: FileType

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def read_logo(path: Path | None) -> Logo | None:
    """The logo when `path` is a PNG or JPEG of at most `MAX_LOGO_BYTES`, else None."""
    if path is None:
        return None
    try:
        with path.open("rb") as file:
            content = file.read(MAX_LOGO_BYTES + 1)
    except OSError:
        return None
    kind = sniff(content, IMAGES)
    return Logo(content, kind) if kind is not None and len(content) <= MAX_LOGO_BYTES else None
