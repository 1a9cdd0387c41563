"""The page's words per language, from `templates/web/words.toml` (English when missing)."""

from __future__ import annotations

from pathlib import Path

from bot.rendering.words import tables, words_in


def languages(templates_dir: Path) -> list[str]:
    return list(tables(templates_dir / "web" / "words.toml"))


def words(templates_dir: Path, language: str) -> tuple[str, dict[str, str]]:
    """The language actually used, and its words (each missing word in English)."""
    return words_in(templates_dir / "web" / "words.toml", language)
