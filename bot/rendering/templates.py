"""The jinja2 side: files under `templates/`, strict about missing variables. Only these files
are templates: text that staff edit is never rendered (see `bot.services.reminders.editing`).

Layout: `<channel>/<lang>/<stage>.{subject,txt,html}.j2` is a stage's first wording;
`<stage>.2.{…}.j2`, `<stage>.3.{…}.j2` are further wordings. A wording's id is
`<lang>/<stage>[.<n>]`. A language without templates falls back to English.

A template imports its language's shared parts through the variable `parts_file`
(`{% import parts_file as parts with context %}`), never by path: a folder copied and
translated uses its own parts. For an HTML part the variable names the same file under an
`@html` suffix, which the loader reads from the same file but compiles with autoescaping:
every value a macro writes into HTML is escaped, however the macro is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from bot.domain.msgid import NotFound, phrase
from bot.rendering.locale import plural_form

FALLBACK_LANGUAGE = "en"
PARTS = "_parts.j2"
HTML_VARIANT = "@html"


def _autoescaped(name: str | None) -> bool:
    return name is not None and (name.endswith(".html.j2") or name.endswith(HTML_VARIANT))


class _PartsLoader(FileSystemLoader):
    """Reads `x@html` from the file `x`: one source, compiled once for text, once for HTML."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        return super().get_source(environment, template.removesuffix(HTML_VARIANT))


@pass_context
def plural(context: Context, count: int, **forms: str) -> str:
    """`{{ n }} {{ plural(n, one="day", other="days") }}`: the form the template's locale uses
    for `count` (Babel's plural rules); `other` when the language has no such form."""
    category = plural_form(count, context.get("locale") or FALLBACK_LANGUAGE)
    return forms.get(category, forms["other"])


def parts_file(channel: str, wording: str, part: str) -> str:
    """The shared parts a wording's `part` imports: its own language's, escaped for HTML."""
    language = wording.split("/")[0]
    return f"{channel}/{language}/{PARTS}" + (HTML_VARIANT if part == "html" else "")


@dataclass(frozen=True)
class RenderedEmail:
    wording: str
    language: str  # the template language actually used
    subject: str
    text: str
    html: str


def choose_wording(wordings: list[str], last_used: str) -> str:
    """The first wording that is not the one used last time: never the same text twice in a
    row for one customer (when the stage has more than one wording)."""
    for wording in wordings:
        if wording != last_used:
            return wording
    return wordings[0]


class Templates:
    def __init__(self, directory: Path):
        self.directory = directory
        self.env = Environment(
            loader=_PartsLoader(directory),
            undefined=StrictUndefined,
            autoescape=_autoescaped,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["plural"] = plural
        self._wordings: dict[tuple[Path, str, int], tuple[str, ...]] = {}

    def language_for(self, channel: str, language: str) -> str:
        base = language.split("_")[0]
        return base if (self.directory / channel / base).is_dir() else FALLBACK_LANGUAGE

    def wordings(self, channel: str, language: str, stage: str) -> list[str]:
        """The stage's wordings in this language, in order. The folder is listed again only
        when it changed (a file added or removed changes its mtime): a morning's run asks
        thousands of times."""
        lang = self.language_for(channel, language)
        folder = self.directory / channel / lang
        key = (folder, stage, folder.stat().st_mtime_ns)
        if key not in self._wordings:
            pattern = re.compile(rf"^{re.escape(stage)}(?:\.(\d+))?\.txt\.j2$")
            found = sorted(
                (int(match.group(1) or 1), match.group(0).removesuffix(".txt.j2"))
                for p in folder.glob(f"{stage}*.txt.j2")
                if (match := pattern.match(p.name))
            )
            if not found:
                raise NotFound(
                    phrase(
                        "no {channel} template for stage {stage} in {language}",
                        channel=channel,
                        stage=repr(stage),
                        language=repr(lang),
                    )
                )
            self._wordings[key] = tuple(f"{lang}/{name}" for _n, name in found)
        return list(self._wordings[key])

    def render(self, channel: str, wording: str, part: str, context: dict[str, Any]) -> str:
        return (
            self.env.get_template(f"{channel}/{wording}.{part}.j2")
            .render({**context, "parts_file": parts_file(channel, wording, part)})
            .strip()
        )

    def render_email(self, wording: str, context: dict[str, Any]) -> RenderedEmail:
        """The e-mail's three parts in one wording (`lang/template`, see `wordings`)."""
        return RenderedEmail(
            wording=wording,
            language=wording.split("/")[0],
            subject=self.render("email", wording, "subject", context),
            text=self.render("email", wording, "txt", context) + "\n",
            html=self.render("email", wording, "html", context) + "\n",
        )

    def html_from_text(self, text: str, language: str, subject: str) -> str:
        """The HTML part of a message written as plain text (staff edits, thank-you notes):
        the same words, escaped, one paragraph per blank-line-separated block."""
        paragraphs = [p.split("\n") for p in text.strip().split("\n\n")]
        return self.env.get_template("email/_from_text.html.j2").render(
            lang=language.split("_")[0], subject=subject, paragraphs=paragraphs
        )
