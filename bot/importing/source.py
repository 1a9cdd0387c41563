"""Streaming a CSV file line by line, so memory stays flat however large the file is.

Each physical line is decoded on its own, so an encoding problem names its line instead of
failing somewhere in a buffer.
"""

from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from tqdm import tqdm

from bot.domain.msgid import Phrase, phrase, verbatim
from bot.importing.mapping import GROUP, Mapping, header_key

#: Separators a spreadsheet or an accounting tool may have written, to name the one a file uses
#: when it is not the mapping's.
_SEPARATORS = (",", ";", "\t", "|")
#: Lines read to find the header and its separator (report title blocks are a few lines).
_SNIFF_LINES = 64
_CHUNK = 1 << 20


def _separator_name(separator: str) -> str:
    return "tab" if separator == "\t" else repr(separator)


@dataclass(frozen=True)
class LineError:
    """A line an import refuses: `message` a phrase, or English text shown as it is (the
    contact-history import, which only the terminal runs)."""

    line: int
    column: str
    message: Phrase | str

    def __str__(self) -> str:
        return str(self.said())

    def said(self) -> Phrase:
        """The error as a person reads it: where, then what (worded where it is shown)."""
        if self.column:
            return phrase(
                "line {line}, column {column}: {error}",
                line=self.line,
                column=repr(self.column),
                error=self._message(),
            )
        return phrase("line {line}: {error}", line=self.line, error=self._message())

    def _message(self) -> Phrase:
        return verbatim(self.message) if isinstance(self.message, str) else self.message

    def key(self) -> tuple[int, str, str]:
        """Errors are listed by line, then column."""
        return self.line, self.column, str(self.message)


@dataclass
class CsvSource:
    """Yields `(line number, row)` pairs; problems found while reading go to `errors`.

    `header` is known once the first pair has been asked for."""

    path: Path
    mapping: Mapping
    progress: bool = False
    errors: list[LineError] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    header_line: int = 1

    def _lines(self, stream: BinaryIO, bar: tqdm) -> Iterator[str]:
        encoding = self.mapping.encoding
        for number, raw in enumerate(stream, start=1):
            bar.update(len(raw))
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError as exc:
                name = self.mapping.encoding.removesuffix("-sig").upper()
                self.errors.append(
                    LineError(
                        number,
                        "",
                        phrase(
                            "is not valid {encoding} (byte 0x{byte} at position {position}); "
                            "save the file as UTF-8 or choose a mapping with the file's encoding",
                            encoding=name,
                            byte=f"{raw[exc.start]:02x}",
                            position=exc.start + 1,
                        ),
                    )
                )
                yield raw.decode(encoding, errors="replace")
            # A byte-order mark can only open the file; plain UTF-8 decodes the rest in C.
            encoding = encoding.removesuffix("-sig")

    def _detect_encoding(self) -> str:
        """The first of the mapping's encodings that decodes the whole file (the last one, a
        single-byte encoding, always does)."""
        candidates = self.mapping.encodings
        for encoding in candidates[:-1]:
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                with open(self.path, "rb") as stream:
                    while chunk := stream.read(_CHUNK):
                        decoder.decode(chunk)
                    decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
        return candidates[-1]

    def _detect_separator(self) -> str | None:
        """The separator under which the header line reads as the mapping's; None (with an
        error naming it) when the file is separated by something the mapping does not allow."""
        allowed = self.mapping.delimiters or (self.mapping.delimiter,)
        wanted = {header_key(n) for n in self.mapping.expected_header()}
        if not wanted:
            return self.mapping.delimiter
        with open(self.path, "rb") as stream:
            head = [
                raw.decode(self.mapping.encoding, errors="replace")
                for raw in islice(stream, _SNIFF_LINES)
            ]
        head = head[self.mapping.skip_lines :]
        others = tuple(s for s in _SEPARATORS if s not in allowed)
        for separator in (*allowed, *others):
            try:
                rows = list(csv.reader(head, delimiter=separator))
            except csv.Error:  # not text: the reading proper names the line
                return self.mapping.delimiter
            for row in rows:
                if wanted <= {header_key(cell) for cell in row}:
                    if separator in allowed:
                        return separator
                    expected = " or ".join(_separator_name(a) for a in allowed)
                    self.errors.append(
                        LineError(
                            1,
                            "",
                            phrase(
                                "this file is separated by {found}; the mapping {mapping} "
                                "expects {expected}",
                                found=_separator_name(separator),
                                mapping=repr(self.mapping.name),
                                expected=expected,
                            ),
                        )
                    )
                    return None
        return self.mapping.delimiter

    def records(self) -> Iterator[tuple[int, list[str]]]:
        if self.mapping.encodings:
            self.mapping = replace(self.mapping, encoding=self._detect_encoding())
        separator = self._detect_separator()
        if separator is None:
            return
        with (
            open(self.path, "rb") as stream,
            tqdm(
                total=os.fstat(stream.fileno()).st_size,
                unit="B",
                unit_scale=True,
                desc="importing",
                disable=not self.progress,
                leave=False,
            ) as bar,
        ):
            reader = csv.reader(self._lines(stream, bar), delimiter=separator)
            try:
                yield from self._rows(reader)
            except csv.Error as exc:  # a stray NUL or carriage return: not a text file
                self.errors.append(
                    LineError(
                        reader.line_num or 1,
                        "",
                        phrase("cannot be read as CSV ({error})", error=str(exc)),
                    )
                )

    def _rows(self, reader: Any) -> Iterator[tuple[int, list[str]]]:
        """The data rows after the header, numbered by physical line, filtered by the
        mapping's row rules; group rows give their customer to the rows below."""
        header = self._find_header(reader)
        if header is None:
            return
        self.header = header
        if not self._header_ok():
            return
        mapping = self.mapping = self.mapping.restricted_to(self.header).rules_for(header)
        width = len(self.header)
        if mapping.group_position:
            self.header = [*self.header, GROUP]
        group: str | None = None
        previous_end = reader.line_num
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not "".join(row).strip():  # a blank line, or only separators
                continue
            if mapping.group_position:
                opened = _group_name(row, mapping.group_position)
                if opened is not None:
                    group = opened
                    continue
            if mapping.drop and any(rule.matches(row) for rule in mapping.drop):
                continue
            if mapping.keep and not any(rule.matches(row) for rule in mapping.keep):
                continue
            if len(row) != width:
                self.errors.append(
                    LineError(
                        line,
                        "",
                        phrase(
                            "has {found} fields where the header has {width}",
                            found=len(row),
                            width=width,
                        ),
                    )
                )
                continue
            if mapping.group_position:
                if group is None:
                    self.errors.append(
                        LineError(line, "", phrase("comes before any customer group row"))
                    )
                    continue
                row.append(group)
            yield line, row

    def _find_header(self, reader: Any) -> list[str] | None:
        """The header line: after `skip_lines` lines, or the first holding `header_names`.

        Its names are matched to the mapping's as `header_key` compares them, and written as
        the mapping spells them, so everything after reads the mapping's names."""
        wanted = {header_key(n) for n in self.mapping.header_names}
        spelled = {header_key(n): n for n in self.mapping.column_names()}
        for _ in range(self.mapping.skip_lines):
            next(reader, None)
        for row in reader:
            keys = [header_key(h) for h in row]
            header = [spelled.get(k, h.strip()) for k, h in zip(keys, row, strict=True)]
            if not wanted or wanted <= set(keys):
                self.header_line = reader.line_num
                return header
        if wanted:
            self.errors.append(
                LineError(
                    1,
                    "",
                    phrase(
                        "no header line with the columns {columns}",
                        columns=", ".join(sorted(self.mapping.header_names)),
                    ),
                )
            )
        else:
            self.errors.append(LineError(1, "", phrase("the file is empty: no header line")))
        return None

    def _header_ok(self) -> bool:
        present = set(self.header) | {GROUP}
        for name in self.mapping.required:
            column = self.mapping.columns.get(name)
            if column is not None and column not in present and name not in self.mapping.defaults:
                self.errors.append(
                    LineError(
                        self.header_line,
                        column,
                        phrase(
                            "missing column (Relance reads {field} from it; mapping {mapping})",
                            field=name,
                            mapping=repr(self.mapping.name),
                        ),
                    )
                )
        return not self.errors


def _group_name(row: list[str], position: int) -> str | None:
    """The customer a group row opens: its only non-empty cell, at `position`."""
    if position > len(row):
        return None
    name = row[position - 1].strip()
    if not name or any(cell.strip() for i, cell in enumerate(row) if i != position - 1):
        return None
    return name
