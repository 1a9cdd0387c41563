"""The words of a reply: its new text without the quoted history, the text of an HTML part,
and the return date an out-of-office message gives. Pure."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

_QUOTE_HEADER = re.compile(
    r"^(On .{0,200} wrote:|Le .{0,200} a écrit ?:|Am .{0,200} schrieb .{0,200}:|"
    r"El .{0,200} escribió:|-{2,} ?Original Message ?-{2,}|-{2,} ?Message d'origine ?-{2,}|"
    r"From: .+|De ?: .+|Von: .+|_{10,})\s*$",
    re.IGNORECASE,
)


def trim_quoted(text: str) -> str:
    """The new text of a reply: up to the first quoted line or the header that introduces the
    quoted history ("On … wrote:", "-----Original Message-----", an Outlook "From:")."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.startswith(">") or _QUOTE_HEADER.match(line.strip()):
            break
        kept.append(line.rstrip())
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept).strip()


class _Text(HTMLParser):
    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body: tags dropped, scripts and styles skipped, entities
    decoded; the result is still customer text, escaped wherever it goes."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- return date of an out-of-office answer -------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "janvier", "janv", "januar", "enero", "ene"),
            ("february", "feb", "février", "fevrier", "févr", "februar", "febrero"),
            ("march", "mar", "mars", "märz", "marzo"),
            ("april", "apr", "avril", "avr", "abril", "abr"),
            ("may", "mai", "mayo"),
            ("june", "jun", "juin", "juni", "junio"),
            ("july", "jul", "juillet", "juil", "juli", "julio"),
            ("august", "aug", "août", "aout", "agosto", "ago"),
            ("september", "sep", "sept", "septembre", "septiembre"),
            ("october", "oct", "octobre", "oktober", "octubre", "okt"),
            ("november", "nov", "novembre", "noviembre"),
            (
                "december",
                "dec",
                "décembre",
                "decembre",
                "déc",
                "dezember",
                "diciembre",
                "dez",
                "dic",
            ),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})\b")
_DAY_MONTH = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th|er|\.)?\s+([a-zéèûäü]{3,10})\.?(?:\s+(\d{4}))?\b"
)
_MONTH_DAY = re.compile(r"\b([a-z]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")


def return_date(text: str, today: date) -> date | None:
    """The latest date in the first lines that is after `today`: the day they are back (or
    the last day away — holding until then is the cautious reading). Numeric dates are read
    day first (the European order), unless only the other order makes a date; a date that
    reads both ways is ambiguous and not used."""
    head = text[:2000].lower()
    found: list[date] = []
    for y, m, d in _ISO.findall(head):
        found += _valid(int(y), int(m), int(d))
    for a, b, y in _NUMERIC.findall(head):
        year = int(y) + (2000 if len(y) == 2 else 0)
        readings = _valid(year, int(b), int(a)) + _valid(year, int(a), int(b))
        if len(set(readings)) == 1:
            found += readings
    for d, month, y in _DAY_MONTH.findall(head):
        if month in _MONTHS:
            found += _with_year(today, _MONTHS[month], int(d), y)
    for month, d, y in _MONTH_DAY.findall(head):
        if month in _MONTHS:
            found += _with_year(today, _MONTHS[month], int(d), y)
    after = [day for day in found if today < day <= date(today.year + 1, today.month, 1)]
    return max(after) if after else None


def _valid(year: int, month: int, day: int) -> list[date]:
    try:
        return [date(year, month, day)]
    except ValueError:
        return []


def _with_year(today: date, month: int, day: int, year: str) -> list[date]:
    if year:
        return _valid(int(year), month, day)
    this_year = _valid(today.year, month, day)
    if this_year and this_year[0] >= today:
        return this_year
    return _valid(today.year + 1, month, day)
