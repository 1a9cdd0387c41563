"""The page's words: every language says everything English says, with the same blanks."""

from __future__ import annotations

import string
import tomllib

from bot.config import Settings
from bot.web.words import languages, words

TEMPLATES = Settings().templates_dir


def _blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_word_with_the_same_blanks() -> None:
    table = tomllib.loads((TEMPLATES / "web" / "words.toml").read_text(encoding="utf-8"))
    assert set(languages(TEMPLATES)) == set(table) >= {"en", "fr", "de", "es"}
    for language, own in table.items():
        assert set(own) == set(table["en"]), language
        for key, text in table["en"].items():
            assert _blanks(own[key]) == _blanks(text), (language, key)


def test_an_unknown_language_reads_english() -> None:
    assert words(TEMPLATES, "fi")[0] == "en"
