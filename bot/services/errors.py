"""The one error a use case raises for a request it will not carry out."""


class Invalid(ValueError):
    """Nothing was changed; the message says why, to the person who asked."""
