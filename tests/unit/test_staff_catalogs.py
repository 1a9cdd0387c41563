"""The staff catalogs (bot/locale): the template current with the code, French, German and Spanish
complete, the language looked up per call, and a service's phrase worded where it is shown."""

from __future__ import annotations

import json
import re
import threading
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.domain.overtaking import promised_fact
from bot.rendering.staff_text import (
    LOCALE_DIR,
    Phrase,
    _,
    carried,
    language,
    ngettext,
    phrase,
    phrase_n,
    say,
    speaking,
)
from bot.services.reminders.overtaken import no_longer_holds

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None, "phrase": None, "phrase_n": (1, 2)}


def _read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


def _fields(text: str) -> set[str]:
    return set(re.findall(r"\{[^{}]*\}", text))


def test_the_template_has_every_msgid_the_code_uses() -> None:
    """`make messages` was run after the last change of staff text."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    in_code = {
        msgid if isinstance(msgid, str) else tuple(msgid)
        for _file, _line, msgid, *_rest in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    }
    in_template = {m.id for m in _read(LOCALE_DIR / "relance.pot") if m.id}
    assert in_code - in_template == set(), "run `make messages` and translate what is new"
    assert in_template - in_code == set(), "the template holds msgids no code uses"


@pytest.mark.parametrize(
    ("language", "plurals"),
    [
        ("fr", 3),  # CLDR French: one (0, 1), many (millions), other
        ("de", 2),  # CLDR German: one, other
        ("es", 3),  # CLDR Spanish: one, many (millions), other
    ],
)
def test_each_language_is_complete_with_no_fuzzy_entry_and_the_same_fields(
    language: str, plurals: int
) -> None:
    template = {m.id for m in _read(LOCALE_DIR / "relance.pot") if m.id}
    translated = _read(LOCALE_DIR / language / "LC_MESSAGES" / "relance.po")
    assert translated.num_plurals == plurals
    entries = {m.id: m for m in translated if m.id}
    assert set(entries) == template
    assert not translated.obsolete
    for msgid, message in entries.items():
        assert not message.fuzzy, msgid
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(forms) == (plurals if isinstance(msgid, tuple) else 1), msgid
        assert all(forms), f"untranslated: {msgid!r}"
        english = msgid if isinstance(msgid, tuple) else (msgid,)
        fields = set().union(*(_fields(e) for e in english)) - {"{count}"}
        for form in forms:
            assert _fields(form) - {"{count}"} == fields, (msgid, form)


def test_plurals_follow_cldr_in_each_language() -> None:
    def days(n: int) -> str:
        return ngettext("{count} day late", "{count} days late", n)

    assert [days(n) for n in (0, 1, 2)] == ["0 days late", "1 day late", "2 days late"]
    with speaking("fr_FR"):
        assert [days(n) for n in (0, 1, 2)] == [
            "0 jour de retard",
            "1 jour de retard",
            "2 jours de retard",
        ]
    with speaking("de_DE"):
        assert [days(n) for n in (0, 1, 2)] == [
            "0 Tage überfällig",
            "1 Tag überfällig",
            "2 Tage überfällig",
        ]
    with speaking("es_ES"):
        assert [days(n) for n in (0, 1, 2, 1_000_000)] == [
            "0 días de retraso",
            "1 día de retraso",
            "2 días de retraso",
            "1000000 días de retraso",
        ]


def test_a_phrase_is_worded_in_the_language_in_force_and_kept_in_json() -> None:
    """What a service chose (a msgid, its values, a count, a phrase inside a phrase) is worded
    where it is shown; stored and read back, it is the same phrase; plain text of an older
    record is shown as it was."""
    late = phrase_n("{count} day late", "{count} days late", 3)
    said = phrase(
        "no suggestion, because {cause}",
        cause=phrase("the template {name} is missing", name="x.j2"),
    )
    assert str(late) == "3 days late" and say(late) == "3 days late"
    assert str(said) == "no suggestion, because the template x.j2 is missing"
    with speaking("de_DE"):
        assert say(late) == "3 Tage überfällig"
        assert say(said) == "kein Vorschlag, weil die Vorlage x.j2 fehlt"
    with speaking("es_ES"):
        assert say(said) == "sin propuesta, porque falta la plantilla x.j2"
    assert Phrase.read(json.loads(json.dumps(said.stored()))) == said
    assert Phrase.read("held until someone acts") == Phrase("held until someone acts")
    with speaking("fr_FR"):
        assert (
            say(Phrase.read("held until someone acts"))
            == "en pause jusqu’à ce que quelqu’un agisse"
        )
        assert say(Phrase.read("{not a template}")) == "{not a template}"


def test_a_reason_kept_in_a_column_is_worded_for_its_reader() -> None:
    """An expired reminder's why, as its row keeps it: the card words it in the reader's
    language; an older row's English, or a person's text, is shown as it is, never looked up."""
    why = no_longer_holds(promised_fact(date(2030, 1, 15)))
    kept = Phrase.from_column(why.column())
    assert (
        kept == why and str(kept) == "no longer holds: the customer promised to pay by 2030-01-15"
    )
    with speaking("fr_FR"):
        assert say(kept) == "n’a plus lieu d’être : le client a promis de payer avant le 2030-01-15"
        assert say(Phrase.from_column("Approve")) == "Approve"  # plain text: no msgid
        broken = '{"msgid": "{x}", "values": {"y": 1}}'  # typed, and no phrase to word
        assert say(Phrase.from_column(broken)) == broken


def test_the_language_is_per_context_and_carried_to_other_threads() -> None:
    seen: list[str] = []
    with speaking("fr_FR"):
        assert _("Approve") == "Approuver" and language() == "fr"
        job = carried(lambda: seen.append(_("Skip")))
        bare = threading.Thread(target=lambda: seen.append(_("Skip")))
    assert _("Approve") == "Approve" and language() == "en"  # nothing leaks out
    worker = threading.Thread(target=job)
    for thread in (worker, bare):
        thread.start()
        thread.join()
    assert seen == ["Ignorer", "Skip"]  # a thread not handed the context speaks the source


def test_values_are_filled_in_never_read_as_templates() -> None:
    with speaking("fr_FR"):
        text = _("🚫 Not sent: {reason}", reason="{reason.__class__} {0}")
    assert text == "🚫 Non envoyée : {reason.__class__} {0}"
