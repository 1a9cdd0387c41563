"""The start-up check of templates against the policy: a stage is data, so a stage or a language
added without all its files must be refused before the morning, naming each missing file,
rather than crash one customer's suggestion at a time.

For every stage, in every language folder of its channel: e-mail stages need
`email/<lang>/<template>.{subject,txt,html}.j2` (and the same three for every further wording
`<template>.<n>`), plus `letter/<lang>/<template>.{subject,txt}.j2` when the stage sends a
letter; phone stages `call/<lang>/<template>.txt.j2`; hand-offs
`note/<lang>/<template>.{subject,txt}.j2`. Every e-mail language folder has its own `_parts.j2`
and the thank-you note. Every template compiles. Stage names and wording ids must fit their database columns.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import TemplateSyntaxError

from bot.domain.policy import Channel, Policy, Stage
from bot.rendering.templates import FALLBACK_LANGUAGE, PARTS, Templates

STAGE_COLUMN = 20  # reminder.stage, contact.stage
WORDING_COLUMN = 60  # reminder.wording, contact.wording
EMAIL_PARTS = ("subject", "txt", "html")


class TemplateCheckFailed(ValueError):
    """The templates do not cover the policy; `problems` lists each missing piece."""

    def __init__(self, problems: list[str]):
        super().__init__(
            "the templates do not match the policy:\n" + "\n".join(f"  - {p}" for p in problems)
        )
        self.problems = problems


def _languages(directory: Path, channel: str) -> list[str]:
    folder = directory / channel
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _needs(stage: Stage) -> list[tuple[str, tuple[str, ...]]]:
    if stage.channel is Channel.PHONE:
        return [("call", ("txt",))]
    if stage.channel is Channel.NONE:
        return [("note", ("subject", "txt"))]
    needs: list[tuple[str, tuple[str, ...]]] = [("email", EMAIL_PARTS)]
    if stage.letter:
        needs.append(("letter", ("subject", "txt")))
    return needs


def _wordings(folder: Path, template: str) -> list[str]:
    """`<template>` and every `<template>.<n>` that has any file in the folder."""
    pattern = re.compile(rf"^{re.escape(template)}(\.\d+)?\.[a-z]+\.j2$")
    found = {template}
    for path in folder.glob(f"{template}*.j2"):
        match = pattern.match(path.name)
        if match and match.group(1):
            found.add(template + match.group(1))
    return sorted(found)


_compiled: dict[tuple[tuple[str, int, int], ...], list[str]] = {}


def syntax_problems(directory: Path) -> list[str]:
    """Every template file compiled: a Jinja syntax error is found at start-up, naming the file
    and the line, not by the first customer whose reminder uses it. Files unchanged since the
    last look (same names, sizes and times) are not compiled again."""
    paths = sorted(directory.rglob("*.j2"))
    key = tuple((str(p), (stat := p.stat()).st_mtime_ns, stat.st_size) for p in paths)
    if key not in _compiled:
        _compiled[key] = _compile(directory, paths)
    return list(_compiled[key])


def _compile(directory: Path, paths: list[Path]) -> list[str]:
    env = Templates(directory).env
    problems = []
    for path in paths:
        name = path.relative_to(directory).as_posix()
        try:
            env.parse(path.read_text(encoding="utf-8"), name, str(path))
        except TemplateSyntaxError as exc:
            problems.append(f"{name}, line {exc.lineno}: {exc.message}")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{name}: cannot be read ({exc})")
    return problems


def template_problems(policy: Policy, directory: Path) -> list[str]:
    problems: list[str] = []
    email_languages = _languages(directory, "email")
    if FALLBACK_LANGUAGE not in email_languages:
        problems.append(f"{directory / 'email' / FALLBACK_LANGUAGE}/ is missing (the fallback)")
    for lang in email_languages:
        for name in (PARTS, "thanks.subject.j2", "thanks.txt.j2"):
            if not (directory / "email" / lang / name).is_file():
                problems.append(f"email/{lang}/{name} is missing")
    for stage in policy.stages:
        if len(stage.name) > STAGE_COLUMN:
            problems.append(
                f"stage {stage.name!r}: the name has {len(stage.name)} characters; "
                f"the database keeps {STAGE_COLUMN}"
            )
        for channel, parts in _needs(stage):
            languages = _languages(directory, channel)
            if not languages:
                problems.append(f"stage {stage.name!r}: no folder {directory / channel}/<lang>/")
            for lang in languages:
                folder = directory / channel / lang
                for wording in _wordings(folder, stage.template):
                    if len(f"{lang}/{wording}") > WORDING_COLUMN:
                        problems.append(
                            f"{channel}/{lang}/{wording}: the wording id is longer than "
                            f"{WORDING_COLUMN} characters"
                        )
                    problems += [
                        f"stage {stage.name!r}: {channel}/{lang}/{wording}.{part}.j2 is missing"
                        for part in parts
                        if not (folder / f"{wording}.{part}.j2").is_file()
                    ]
    return problems
