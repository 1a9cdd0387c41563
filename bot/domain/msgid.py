"""Marking staff text for translation where a rule names it, without translating it there."""


def N_(message: str) -> str:
    """Marks a msgid for the catalog where it is defined; `_` translates it where it is shown
    (bot/rendering/staff_text.py). The rules stay free of any language."""
    return message
