"""The final-notice letter as a PDF (fpdf2): sender and recipient blocks, place and date,
subject, body. A Unicode TrueType font keeps every language's text extractable."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from fpdf import FPDF


@dataclass(frozen=True)
class Letter:
    sender: list[str]
    recipient: list[str]
    dateline: str
    subject: str
    body: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Letter:
        return cls(**json.loads(text))


def letter_filename(reminder_id: int) -> str:
    return f"final-notice-{reminder_id}.pdf"


def render_pdf(letter: Letter, font: Path, bold_font: Path) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("Body", "", str(font))
    pdf.add_font("Body", "B", str(bold_font))
    pdf.add_page()
    pdf.set_font("Body", "B", 11)
    pdf.multi_cell(80, 5, letter.sender[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 10)
    pdf.multi_cell(80, 5, "\n".join(letter.sender[1:]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(115, 50)
    pdf.set_font("Body", "", 11)
    pdf.multi_cell(75, 5.5, "\n".join(letter.recipient), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), 80) + 8)
    pdf.cell(0, 6, letter.dateline, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Body", "B", 11)
    pdf.multi_cell(0, 6, letter.subject, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Body", "", 10.5)
    pdf.multi_cell(0, 5.2, letter.body, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
