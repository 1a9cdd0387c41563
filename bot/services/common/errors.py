"""The one error a use case raises for a request it will not carry out."""

from __future__ import annotations

from bot.rendering.staff_text import Phrase


class Invalid(ValueError):
    """Nothing was changed; the phrase says why, to the person who asked, in their language.

    `Invalid(message)`, or `Invalid(field, message)` when the refusal is about one input of a
    form (its name as the form knows it), so Slack can show it beside that input. A message is
    a `phrase(…)`, or a constant marked `N_`; `str()` is the English, for the terminal.
    """

    def __init__(self, field_or_message: str | Phrase, message: str | Phrase | None = None) -> None:
        if message is None:
            self.field, said = "", field_or_message
        else:
            self.field, said = str(field_or_message), message
        self.phrase = said if isinstance(said, Phrase) else Phrase(said)
        self.message = str(self.phrase)
        super().__init__(self.message)
