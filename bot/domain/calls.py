"""What a phone call can end in: the one list the form, the command and the log share."""

from __future__ import annotations

from bot.domain.msgid import N_

#: outcome key (stored on the contact) → its label in the form
OUTCOMES: dict[str, str] = {
    "reached": N_("Reached"),
    "voicemail": N_("Left a voicemail"),
    "no_answer": N_("No answer"),
    "wrong_number": N_("Wrong number"),
}


def outcome_key(text: str) -> str | None:
    """The outcome typed as `no-answer`, `No answer` or `no_answer`, or None if it is none."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    return key if key in OUTCOMES else None
