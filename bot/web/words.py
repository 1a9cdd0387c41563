"""The page's words per language, from `templates/web/words.toml` (English when missing)."""

from __future__ import annotations

from pathlib import Path

from bot.rendering.words import tables, words_in


def languages(templates_dir: Path) -> list[str]:
    return list(tables(templates_dir / "web" / "words.toml"))


def words(templates_dir: Path, language: str) -> tuple[str, dict[str, str]]:
    """The language actually used, and its words (each missing word in English)."""
    return words_in(templates_dir / "web" / "words.toml", language)


MAX_ACCEPT_LANGUAGE = 200  # a header is outside input: read only its start


def best_language(header: str, available: list[str]) -> str:
    """The first language of an Accept-Language header ("de-CH, de;q=0.9, en;q=0.8") the page
    has words for, by the header's weights; "" when none."""
    ranked = []
    for position, part in enumerate(header[:MAX_ACCEPT_LANGUAGE].split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        code = tag.strip().split("-")[0].lower()
        if code in available and weight > 0:
            ranked.append((-weight, position, code))
    return min(ranked)[2] if ranked else ""
