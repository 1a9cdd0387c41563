"""The final-notice letter as a PDF, made in one place for the sender, Slack and the terminal.

The letter's content is frozen when the reminder is first written (`Reminder.letter_text`, see
`drafting.py`), so the PDF says what was approved whoever asks for it and whenever.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.letter import Letter, letter_filename, render_pdf
from bot.config import Settings
from bot.db import read_only
from bot.models import Reminder
from bot.services.reminders import drafting
from bot.services.reminders.drafting import Drafter


@dataclass(frozen=True)
class LetterPdf:
    reminder_id: int
    filename: str
    content: bytes
    slack_channel: str  # where its card was posted ("" when it never was)
    slack_ts: str


def pdf_of(reminder: Reminder, settings: Settings) -> LetterPdf | None:
    """The reminder's letter, or None when its stage sends none."""
    if not reminder.letter_text or reminder.id is None:
        return None
    letter = Letter.from_json(reminder.letter_text)
    content = render_pdf(letter, settings.letter_font, settings.letter_bold_font)
    return LetterPdf(
        reminder.id,
        letter_filename(reminder.id, letter),
        content,
        reminder.slack_channel,
        reminder.slack_ts,
    )


def letter_pdf(drafter: Drafter, settings: Settings, reminder_id: int) -> LetterPdf | None:
    """The reminder's letter (written first if the reminder still awaits its texts)."""
    drafting.write_pending(drafter, [reminder_id])
    with read_only(drafter.engine) as session:
        reminder = session.get(Reminder, reminder_id)
    return None if reminder is None else pdf_of(reminder, settings)
