"""The final-notice letter as a PDF (fpdf2): sender and recipient blocks, place and date,
subject, body with its tables, page numbers. A Unicode TrueType font keeps every language's text
extractable.

The body is plain text, so that it can be frozen, read and edited as text; the letter templates
mark its tables (invoices, charges) between `[table]` and `[/table]` lines, one row a line, cells
split by `|`; a heading starting with `>` is right-aligned, a row starting with `=` is a total.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from bot.failures import Failure

TABLE_START, TABLE_END, CELL, RIGHT, TOTAL = "[table]", "[/table]", "|", ">", "="


@dataclass(frozen=True)
class Letter:
    sender: list[str]
    recipient: list[str]
    dateline: str
    subject: str
    body: str
    filename: str = ""  # the file's name in the customer's language, without extension
    footer: str = ""  # the company's legal identity, at the foot of every page
    logo: str = ""  # the company's logo (a PNG or JPEG file), top right of the first page
    mention: str = ""  # how it is sent, above the subject ("Lettre recommandée avec AR")

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Letter:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def letter_filename(reminder_id: int, letter: Letter | None = None) -> str:
    """`mise-en-demeure-12.pdf`, `letzte-mahnung-12.pdf`…; letters frozen before file names
    were translated keep the English one."""
    stem = letter.filename if letter and letter.filename else "final-notice"
    return f"{stem}-{reminder_id}.pdf"


@dataclass(frozen=True)
class _Table:
    headings: list[str]
    right: list[bool]
    rows: list[list[str]]
    totals: list[int]  # indexes of total rows


def _blocks(body: str) -> Iterator[str | _Table]:
    """The body as paragraphs of text and tables, in order."""
    text: list[str] = []
    table: list[str] | None = None
    for line in body.splitlines():
        if line.strip() == TABLE_START and table is None:
            if "\n".join(text).strip():
                yield "\n".join(text)
            text, table = [], []
        elif line.strip() == TABLE_END and table is not None:
            yield from _table(table)
            table = None
        elif table is not None:
            table.append(line)
        else:
            text.append(line)
    if table is not None:  # an unclosed table is shown as it was written
        text += [TABLE_START, *table]
    if "\n".join(text).strip():
        yield "\n".join(text)


def _table(lines: list[str]) -> Iterator[str | _Table]:
    if not lines:
        return
    head = [c.strip() for c in lines[0].split(CELL)]
    right = [c.startswith(RIGHT) for c in head]
    headings = [c.removeprefix(RIGHT).strip() for c in head]
    rows: list[list[str]] = []
    totals: list[int] = []
    for line in lines[1:]:
        cells = [c.strip() for c in line.split(CELL)]
        if len(cells) != len(headings):  # a cell with the separator in it: keep it readable
            yield line
            continue
        if cells[0].startswith(TOTAL):
            cells[0] = cells[0].removeprefix(TOTAL).strip()
            totals.append(len(rows))
        rows.append(cells)
    yield _Table(headings, right, rows, totals)


class _Paper(FPDF):
    """A4 whose footer writes "page/total" as plain text: the total is counted by a first pass.
    fpdf2's page-count alias (`{nb}`) would also replace that text in the letter's own words."""

    legal = ""  # the company's identity line(s), above the page number

    def __init__(self, total_pages: int):
        super().__init__(format="A4")
        self.total_pages = total_pages
        self.alias_nb_pages(None)  # type: ignore[arg-type]  # fpdf2 documents None: no alias

    def footer(self) -> None:
        if self.legal:
            self.set_y(-22.5)
            self.set_font("Body", "", 7.5)
            self.multi_cell(0, 3.6, self.legal, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_y(-14)
        self.set_font("Body", "", 8.5)
        self.cell(0, 6, f"{self.page_no()}/{self.total_pages}", align="C")


def _draw_table(pdf: FPDF, table: _Table) -> None:
    """Columns as wide as their content (a total's label spans the empty cells after it); when
    that is wider than the page, the widest column wraps."""
    pdf.set_font("Body", "B", 9.5)
    widths = [pdf.get_string_width(h) + 5 for h in table.headings]
    pdf.set_font("Body", "", 9.5)
    for n, cells in enumerate(table.rows):
        for i, cell in enumerate(cells):
            if n not in table.totals or i == len(cells) - 1:
                widths[i] = max(widths[i], pdf.get_string_width(cell) + 5)
    excess = sum(widths) - pdf.epw
    if excess > 0:
        widest = widths.index(max(widths))
        widths[widest] = max(widths[widest] - excess, 20)
    pdf.ln(1)
    with pdf.table(
        col_widths=tuple(widths),
        width=min(pdf.epw, sum(widths)),
        align="LEFT",
        text_align=tuple("RIGHT" if r else "LEFT" for r in table.right),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=5.2,
        borders_layout="HORIZONTAL_LINES",
    ) as grid:
        grid.row(table.headings)
        for n, cells in enumerate(table.rows):
            if n not in table.totals:
                grid.row(cells)
                continue
            row = grid.row(style=FontFace(emphasis="BOLD"))
            span = 1 + next((k for k, c in enumerate(cells[1:-1]) if c), len(cells) - 2)
            row.cell(cells[0], colspan=span, align="LEFT")
            for cell in cells[span:]:
                row.cell(cell)
    pdf.ln(3)


def render_pdf(letter: Letter, font: Path, bold_font: Path) -> bytes:
    """The letter's PDF; its texts are drawn literally (customer and staff words are data)."""
    for setting, path in (("RELANCE_LETTER_FONT", font), ("RELANCE_LETTER_BOLD_FONT", bold_font)):
        if not path.is_file():
            raise Failure(
                f"the letter's font {path} is missing ({setting})",
                "install fonts-dejavu-core (Debian, Ubuntu) or point the setting at a TrueType font",
            )
    pages = _draw(letter, font, bold_font, total_pages=0).pages_count
    return bytes(_draw(letter, font, bold_font, total_pages=pages).output())


def _draw(letter: Letter, font: Path, bold_font: Path, total_pages: int) -> _Paper:
    pdf = _Paper(total_pages)
    pdf.legal = letter.footer
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=True, margin=27 if letter.footer else 22)
    pdf.add_font("Body", "", str(font))
    pdf.add_font("Body", "B", str(bold_font))
    pdf.add_page()
    if letter.logo and Path(letter.logo).is_file():
        pdf.image(letter.logo, x=pdf.w - 22 - 40, y=14, h=14)
    pdf.set_font("Body", "B", 11)
    pdf.multi_cell(80, 5, letter.sender[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 10)
    pdf.multi_cell(80, 5, "\n".join(letter.sender[1:]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(115, 50)
    pdf.set_font("Body", "", 11)
    pdf.multi_cell(75, 5.5, "\n".join(letter.recipient), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), 76) + 6)
    pdf.cell(0, 6, letter.dateline, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if letter.mention:
        pdf.set_font("Body", "", 10)
        pdf.multi_cell(0, 5, letter.mention, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.set_font("Body", "B", 11)
    pdf.multi_cell(0, 6, letter.subject, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for block in _blocks(letter.body):
        if isinstance(block, _Table):
            _draw_table(pdf, block)
        else:
            pdf.set_font("Body", "", 10)
            pdf.multi_cell(0, 4.9, block.strip("\n"), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
    return pdf
