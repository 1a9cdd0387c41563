"""Words kept per language in a TOML file (`[en]`, `[fr]`, …): each language's table laid
over English, so a word not yet translated is said in English rather than missing."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

FALLBACK = "en"


@cache
def tables(path: Path) -> dict[str, dict[str, str]]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def words_in(path: Path, language: str) -> tuple[str, dict[str, str]]:
    """The language actually used, and its words (each missing word in English)."""
    table = tables(path)
    chosen = language if language in table else FALLBACK
    return chosen, {**table[FALLBACK], **table[chosen]}
