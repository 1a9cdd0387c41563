"""The one error a use case raises for a request it will not carry out."""

from __future__ import annotations


class Invalid(ValueError):
    """Nothing was changed; the message says why, to the person who asked.

    `Invalid(message)`, or `Invalid(field, message)` when the refusal is about one input of a
    form (its name as the form knows it), so Slack can show it beside that input.
    """

    def __init__(self, field_or_message: str, message: str | None = None) -> None:
        if message is None:
            self.field, self.message = "", field_or_message
        else:
            self.field, self.message = field_or_message, message
        super().__init__(self.message)
