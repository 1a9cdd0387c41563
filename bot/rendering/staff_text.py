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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path
from typing import TypeVar

from babel import Locale
from babel.support import Translations

from bot.domain.msgid import N_ as N_  # where rules mark text, the one marker
from bot.domain.msgid import SOURCE_LANGUAGE
from bot.domain.msgid import Phrase as Phrase  # staff text as data: one definition, in the domain
from bot.domain.msgid import Titled as Titled
from bot.domain.msgid import phrase as phrase
from bot.domain.msgid import phrase_n as phrase_n

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "relance"
T = TypeVar("T")

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


def say(text: Phrase | str) -> str:
    """A phrase (or a marked constant) in the staff language, its fields filled in."""
    worded = text if isinstance(text, Phrase) else Phrase(text)
    return worded.worded(language(), _translations())
