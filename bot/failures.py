"""A refusal that knows its cause and its fix: raised where the context is known (which
setting, which file, which server), shown by the command as one line (bot/entry/explain.py)."""

from __future__ import annotations


class Failure(Exception):
    """A refusal that already knows its cause and its fix; `code` is the exit status (2 for
    a setting or an argument to correct, 1 for a run that failed)."""

    def __init__(self, cause: str, fix: str, code: int = 2):
        super().__init__(f"{cause}: {fix}")
        self.cause, self.fix, self.code = cause, fix, code


def refusal(exc: Exception) -> Failure | None:
    """The start-up refusals (a policy, its templates) as a `Failure`: `relance check`,
    `relance run` and every other command word them alike."""
    from bot.domain.policy import PolicyError
    from bot.rendering.check import TemplateCheckFailed

    if isinstance(exc, Failure):
        return exc
    if isinstance(exc, PolicyError):
        return Failure(
            f"the policy is refused ({str(exc).strip().splitlines()[0]})",
            "correct the policy file (RELANCE_POLICY_FILE) or the setting it names, "
            "then `relance check`",
        )
    if isinstance(exc, TemplateCheckFailed):
        return Failure(
            f"the templates do not match the policy ({'; '.join(exc.problems)})",
            "add or correct the files in RELANCE_TEMPLATES_DIR, then `relance check`",
        )
    return None
