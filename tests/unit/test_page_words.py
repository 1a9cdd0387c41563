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


def test_the_browsers_language_is_read_by_its_weights_and_bounded() -> None:
    from bot.web.words import best_language

    available = ["en", "fr", "de", "es"]
    assert best_language("de-CH, fr;q=0.9, en;q=0.8", available) == "de"
    assert best_language("it, fr;q=0.5, es;q=0.7", available) == "es"
    assert best_language("it, pt", available) == ""
    assert best_language("fr;q=abc, de;q=0", available) == ""
    assert best_language("x" * 5000 + ", fr", available) == ""  # only the header's start
