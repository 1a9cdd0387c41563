"""What a row's text column says in English, whether it keeps a phrase or plain text."""

from __future__ import annotations

from bot.domain.msgid import Phrase


def said(column: str) -> str:
    """A reminder's `skip_reason` (a phrase as JSON, or an older row's text) in English."""
    return str(Phrase.from_column(column))
