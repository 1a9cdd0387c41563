"""Streaming a CSV file line by line, so memory stays flat however large the file is.

Each physical line is decoded on its own, so an encoding problem names its line instead of
failing somewhere in a buffer.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tqdm import tqdm

from bot.importing.mapping import REQUIRED, Mapping


@dataclass(frozen=True, order=True)
class LineError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class CsvSource:
    """Yields `(line number, row)` pairs; problems found while reading go to `errors`.

    `header` is known once the first pair has been asked for."""

    path: Path
    mapping: Mapping
    progress: bool = False
    errors: list[LineError] = field(default_factory=list)
    header: list[str] = field(default_factory=list)

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
                        (
                            f"is not valid {name} (byte 0x{raw[exc.start]:02x} at "
                            f"position {exc.start + 1}); save the file as UTF-8 or choose a mapping "
                            "with the file's encoding"
                        ),
                    )
                )
                yield raw.decode(encoding, errors="replace")
            # A byte-order mark can only open the file; plain UTF-8 decodes the rest in C.
            encoding = encoding.removesuffix("-sig")

    def records(self) -> Iterator[tuple[int, list[str]]]:
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
            reader = csv.reader(self._lines(stream, bar), delimiter=self.mapping.delimiter)
            try:
                self.header = [h.strip() for h in next(reader)]
            except StopIteration:
                self.errors.append(LineError(1, "", "the file is empty: no header line"))
                return
            if not self._header_ok():
                return
            self.mapping = self.mapping.restricted_to(self.header)
            previous_end = reader.line_num
            for row in reader:
                line, previous_end = previous_end + 1, reader.line_num
                if not "".join(row).strip():  # a blank line, or only separators
                    continue
                if len(row) != len(self.header):
                    self.errors.append(
                        LineError(
                            line,
                            "",
                            (f"has {len(row)} fields where the header has {len(self.header)}"),
                        )
                    )
                    continue
                yield line, row

    def _header_ok(self) -> bool:
        present = set(self.header)
        for name in REQUIRED:
            column = self.mapping.columns.get(name)
            if column is not None and column not in present:
                self.errors.append(
                    LineError(
                        1,
                        column,
                        (
                            f"missing column (Relance reads {name} from it; mapping "
                            f"{self.mapping.name!r})"
                        ),
                    )
                )
        return not self.errors
