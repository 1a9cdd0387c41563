"""The words staff read in Slack, in `RELANCE_LOCALE`'s language (gettext catalogs under
bot/locale, compiled by `make catalogs`).

The language in force is context-local, never process-wide: an entry point (a Slack request, a
ticker's round, the morning) runs its work inside `speaking(settings.locale)`, and work handed
to another thread carries its context along (bot/slack/journal.py's `ContextPool`, `Deps.later`).
Outside any `speaking`, staff read the source language, English.

The msgids are English with `{named}` fields; values are filled in after the lookup, so a
customer's name or a reason typed by staff is only ever a value, never part of a template.

The rules and use cases do not know who reads them: what they have to say is a `Phrase` (its
msgid marked with `phrase`/`phrase_n` for the catalog, its values apart), worded by `say` where
Slack shows it, in the reader's language, and read in English by the logs and the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from babel import Locale
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "relance"
T = TypeVar("T")
SOURCE_LANGUAGE = "en"

_active: ContextVar[tuple[str, NullTranslations] | None] = ContextVar("staff_text", default=None)


@lru_cache(maxsize=16)
def catalog(locale: str) -> tuple[str, NullTranslations]:
    """The language of `locale` (`fr_FR` → `fr`) and its compiled catalog; the source language,
    or a language without a catalog, reads the msgids themselves. A catalog is read-only once
    loaded, so one copy serves every context."""
    language = Locale.parse(locale).language
    if language == SOURCE_LANGUAGE:
        return language, NullTranslations()
    found = Translations.load(str(LOCALE_DIR), [language], DOMAIN)
    if not isinstance(found, Translations):  # no .mo: `make catalogs` was not run
        raise FileNotFoundError(
            f"no compiled staff catalog for {language!r} under {LOCALE_DIR} (run `make catalogs`)"
        )
    return language, found


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Staff text inside the block is in `locale`'s language."""
    token = _active.set(catalog(locale))
    try:
        yield
    finally:
        _active.reset(token)


def carried(job: Callable[[], T]) -> Callable[[], T]:
    """`job` bound to the staff language in force now, for another thread to run."""
    active = _active.get()

    def run() -> T:
        token = _active.set(active)
        try:
            return job()
        finally:
            _active.reset(token)

    return run


def language() -> str:
    """The staff language in force (`en`, `fr`…): it picks the policy's stage labels."""
    active = _active.get()
    return active[0] if active else SOURCE_LANGUAGE


def _translations() -> NullTranslations:
    active = _active.get()
    return active[1] if active else NullTranslations()


def _(message: str, **values: object) -> str:
    """`message` in the staff language, its `{fields}` filled with `values`."""
    text = _translations().gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
    """The CLDR plural form of `count` ("1 day late", "2 days late"; French "1 jour", "2
    jours"); `{count}` and the other fields filled in."""
    return _translations().ngettext(singular, plural, count).format(count=count, **values)


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


def say(text: Phrase | str) -> str:
    """A phrase (or a marked constant) in the staff language, its fields filled in."""
    worded = text if isinstance(text, Phrase) else Phrase(text)
    return worded.worded(language(), _translations())
