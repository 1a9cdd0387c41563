"""The statement of account as a PDF (fpdf2, the letter's fonts): the company, the customer,
the date, then the open items with what was paid on each, the credits and the totals.

Every figure arrives already written in the customer's locale, as their page writes it: the
PDF lays text out and computes nothing, so it cannot say another sum than the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace


@dataclass(frozen=True)
class StatementTable:
    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric_from: int  # columns from this index on are figures, aligned right


@dataclass(frozen=True)
class Statement:
    company: tuple[str, ...]  # name, then address lines
    title: str
    customer: tuple[str, ...]  # "Customer: …", "Account: …"
    dateline: str
    tables: tuple[StatementTable, ...]
    totals: tuple[str, ...]  # one line per currency, "Total due: 1 234,00 €"
    empty: str  # said when there is no table


class _Paper(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Body", "", 8.5)
        self.cell(0, 6, f"{self.page_no()}/{{nb}}", align="C")


def render_statement(statement: Statement, font: Path, bold_font: Path) -> bytes:
    pdf = _Paper(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("Body", "", str(font))
    pdf.add_font("Body", "B", str(bold_font))
    pdf.set_title(statement.title)
    pdf.add_page()
    pdf.set_font("Body", "B", 11)
    pdf.multi_cell(90, 5, statement.company[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9.5)
    pdf.multi_cell(90, 4.6, "\n".join(statement.company[1:]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Body", "B", 15)
    pdf.cell(0, 8, statement.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 10)
    for line in (*statement.customer, statement.dateline):
        pdf.multi_cell(0, 5.2, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if not statement.tables:
        pdf.multi_cell(0, 5.2, statement.empty, new_x="LMARGIN", new_y="NEXT")
    for table in statement.tables:
        _draw(pdf, table)
    pdf.set_font("Body", "B", 11)
    for line in statement.totals:
        pdf.cell(0, 6.5, line, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _draw(pdf: FPDF, table: StatementTable) -> None:
    pdf.set_font("Body", "B", 11)
    pdf.cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "B", 9)
    widths = [pdf.get_string_width(h) + 4 for h in table.headings]
    pdf.set_font("Body", "", 9)
    for row in table.rows:
        widths = [max(w, pdf.get_string_width(c) + 4) for w, c in zip(widths, row, strict=True)]
    spare = pdf.epw - sum(widths)
    if spare > 0:  # the invoice number's column takes what is left
        widths[0] += spare
    else:
        widths[0] = max(widths[0] + spare, 22)
    with pdf.table(
        col_widths=tuple(widths),
        width=pdf.epw,
        text_align=tuple(
            "RIGHT" if i >= table.numeric_from else "LEFT" for i in range(len(widths))
        ),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=5,
        borders_layout="HORIZONTAL_LINES",
    ) as grid:
        grid.row(table.headings)
        for row in table.rows:
            grid.row(row)
    pdf.ln(4)
