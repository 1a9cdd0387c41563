"""The page's words per language, from `templates/web/words.toml` (English when missing)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

FALLBACK = "en"


@cache
def _all(path: Path) -> dict[str, dict[str, str]]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def languages(templates_dir: Path) -> list[str]:
    return list(_all(templates_dir / "web" / "words.toml"))


def words(templates_dir: Path, language: str) -> tuple[str, dict[str, str]]:
    """The language actually used, and its words (each missing word in English)."""
    table = _all(templates_dir / "web" / "words.toml")
    chosen = language if language in table else FALLBACK
    return chosen, {**table[FALLBACK], **table[chosen]}
