"""A refusal that knows its cause and its fix: raised where the context is known (which
setting, which file, which server), shown by the command as one line (bot/entry/explain.py)."""

from __future__ import annotations


class Failure(Exception):
    """A refusal that already knows its cause and its fix; `code` is the exit status (2 for
    a setting or an argument to correct, 1 for a run that failed)."""

    def __init__(self, cause: str, fix: str, code: int = 2):
        super().__init__(f"{cause}: {fix}")
        self.cause, self.fix, self.code = cause, fix, code
