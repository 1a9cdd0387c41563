"""Staff text as data where a rule names it: a marked msgid, or a phrase whose values stay apart
until the Slack layer words it in the reader's language (bot/rendering/staff_text.py). The rules
stay free of any language and any catalog."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from gettext import NullTranslations
from typing import Any, Protocol, runtime_checkable

SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a msgid for the catalog where it is defined; `_` translates it where it is shown."""
    return message


@runtime_checkable
class Titled(Protocol):
    """A value with a name per staff language (a policy's stage): a phrase shows its title."""

    def title_in(self, language: str) -> str: ...


@dataclass(frozen=True)
class Phrase:
    """Staff text chosen where the reader is unknown: its msgid (and plural msgid, with the
    count that picks the form) and the values of its fields, a value possibly a `Phrase` or a
    `Titled` itself. `str()` is the source language, for logs, the terminal and the audit."""

    msgid: str
    values: Mapping[str, object] = field(default_factory=dict)
    plural: str = ""
    count: int = 0

    def __str__(self) -> str:
        return self.worded(SOURCE_LANGUAGE, NullTranslations())

    def worded(self, language: str, catalog: NullTranslations) -> str:
        values = {k: _value(v, language, catalog) for k, v in self.values.items()}
        if self.plural:
            return catalog.ngettext(self.msgid, self.plural, self.count).format(
                count=self.count, **values
            )
        text = catalog.gettext(self.msgid)
        return text.format(**values) if values else text

    def stored(self) -> dict[str, Any]:
        """The phrase as JSON keeps it (a record shown again later, in whoever's language)."""
        values = {
            k: v.stored() if isinstance(v, Phrase) else _value(v, SOURCE_LANGUAGE, None)
            for k, v in self.values.items()
        }
        return {"msgid": self.msgid, "values": values, "plural": self.plural, "count": self.count}

    @classmethod
    def read(cls, kept: object) -> Phrase:
        """A phrase from `stored()`, or the plain text an older record kept."""
        if not isinstance(kept, dict):
            return cls(str(kept or ""))
        values = {
            k: cls.read(v) if isinstance(v, dict) else v for k, v in kept.get("values", {}).items()
        }
        return cls(kept["msgid"], values, kept.get("plural", ""), kept.get("count", 0))

    def column(self) -> str:
        """The phrase as a text column keeps it (`stored()` as JSON)."""
        return json.dumps(self.stored(), ensure_ascii=False)

    @classmethod
    def from_column(cls, text: str) -> Phrase:
        """A phrase from `column()`, or the plain text an older row or a person wrote (a skip's
        reason), shown as it is, never looked up as a msgid."""
        if text.startswith("{"):
            try:
                kept = cls.read(json.loads(text))
                str(kept)  # text only looking like a phrase, not one to word: shown as typed
                return kept
            except (ValueError, KeyError, IndexError, AttributeError, TypeError):
                pass
        return verbatim(text)


class Said(Exception):
    """An error whose phrase says why, worded in the reader's language where Slack shows it;
    `str()` is the English, for logs and the terminal."""

    def __init__(self, said: Phrase) -> None:
        self.phrase = said
        super().__init__(str(said))


class Refused(Said, ValueError):
    """A rule refusing a value (an amount, a policy, an import's field)."""


class NotFound(Said, LookupError):
    """Something looked up that is not there (a stage's template, a rate on a day)."""


def _value(value: object, language: str, catalog: NullTranslations | None) -> object:
    if isinstance(value, Phrase):
        return value.worded(language, catalog or NullTranslations())
    if isinstance(value, Titled):
        return value.title_in(language)
    return value


def phrase(message: str, **values: object) -> Phrase:
    """Marks `message` for the catalog and keeps its values apart, for `say` to word later."""
    return Phrase(message, values)


def phrase_n(singular: str, plural: str, count: int, **values: object) -> Phrase:
    """The same with plural forms, chosen by `count` in the reader's language."""
    return Phrase(singular, values, plural, count)


def verbatim(text: str) -> Phrase:
    """Text that is no msgid (typed by a person, or an older record's English): as it is."""
    return Phrase("{text}", {"text": text})
