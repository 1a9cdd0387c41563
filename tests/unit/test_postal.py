"""The country line of an address abroad."""

from __future__ import annotations

from bot.rendering.postal import country_line


def test_only_across_a_border_and_only_once() -> None:
    assert country_line("Hauptstraße 1\n10115 Berlin", "DE", "FR") == ["ALLEMAGNE"]
    assert country_line("1 High Street\nLondon SW1A 1AA", "GB", "DE") == ["VEREINIGTES KÖNIGREICH"]
    assert country_line("Hauptstraße 1\n10115 Berlin\nDeutschland", "DE", "FR") == []
    assert country_line("Hauptstraße 1\n10115 Berlin\nGERMANY", "DE", "FR") == []
    assert country_line("12 rue des Lilas\n75011 Paris", "FR", "FR") == []
    assert country_line("", "DE", "FR") == []
