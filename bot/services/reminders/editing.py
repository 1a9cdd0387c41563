"""Text that staff edit in Slack: plain text, sent exactly as written.

What staff save is never rendered as a template again: the stored text already holds the
customer's data, and a name like `{{ 7*7 }}` or `{% raw %}` must stay as it is. The HTML part
is built from the edited text (escaped), so both parts say the same thing. Sizes are bounded
here, whatever the form in front of it allows: a subject is one line, a message at most
`MAX_BODY` characters.

Slack's text input holds at most 3,000 characters, so a longer message (a final notice) is
edited in several parts (`split_body`), joined again with a blank line (`join_body`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.channels.letter import Letter
from bot.rendering.staff_text import N_, phrase
from bot.rendering.templates import Templates
from bot.services.common.errors import Invalid

MAX_SUBJECT = 250
MAX_BODY = 20_000  # about eight pages: no reminder is longer; a 9 MB paste is refused
PART_SIZE = 3000  # Slack's plain_text_input max_length
PART_JOINER = "\n\n"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class EditInvalid(Invalid):
    """Edited text that cannot be saved: `field` is the form field, the phrase says why."""


class LetterChoice(StrEnum):
    """What becomes of a final notice's PDF letter when its e-mail is edited."""

    REWRITE = "rewrite"  # the letter's subject and body become the edited text
    KEEP = "keep"  # the letter stays as it was suggested

    @property
    def audit_text(self) -> str:
        return {
            LetterChoice.REWRITE: "re-rendered from the edited text",
            LetterChoice.KEEP: "kept as it was",
        }[self]


@dataclass(frozen=True)
class EditedText:
    subject: str
    text: str
    html: str


def split_body(text: str, size: int = PART_SIZE) -> list[str]:
    """The message in parts of at most `size` characters, cut at blank lines where it can
    (else at a line break, else anywhere), so that `join_body` gives the same text back
    whenever the cuts fall on blank lines — which they do for any message of paragraphs."""
    text = text.strip("\n")
    parts: list[str] = []
    while len(text) > size:
        window = text[: size + len(PART_JOINER)]
        cut = window.rfind(PART_JOINER, 0, size + len(PART_JOINER) - 1)
        if cut > 0 and cut <= size:
            parts.append(text[:cut])
            text = text[cut + len(PART_JOINER) :]
            continue
        line = text.rfind("\n", 0, size)
        cut = line if line > 0 else size
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def join_body(parts: list[str]) -> str:
    return PART_JOINER.join(p.strip("\n") for p in parts if p.strip())


def _normalised(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def check_edit(templates: Templates, language: str, subject: str, body: str) -> EditedText:
    """The edit as it will be sent, or `EditInvalid` naming the field to fix. Nothing in it is
    evaluated: braces, percent signs and tags are text."""
    subject = _normalised(subject).strip()
    text = _normalised(body).strip()
    if not subject:
        raise EditInvalid("subject", N_("The subject cannot be empty."))
    if "\n" in subject:
        raise EditInvalid("subject", N_("The subject must be one line."))
    if len(subject) > MAX_SUBJECT:
        raise EditInvalid(
            "subject",
            phrase(
                "The subject has {length} characters; the most is {most}.",
                length=f"{len(subject):,}",
                most=MAX_SUBJECT,
            ),
        )
    if _CONTROL.search(subject):
        raise EditInvalid("subject", N_("The subject contains a control character."))
    if not text:
        raise EditInvalid("body", N_("The message cannot be empty."))
    if len(text) > MAX_BODY:
        raise EditInvalid(
            "body",
            phrase(
                "The message has {length} characters; the most is {most}.",
                length=f"{len(text):,}",
                most=f"{MAX_BODY:,}",
            ),
        )
    if _CONTROL.search(text.replace("\t", " ")):
        line = next(n for n, row in enumerate(text.split("\n"), 1) if _CONTROL.search(row))
        raise EditInvalid(
            "body", phrase("Line {line} of the message contains a control character.", line=line)
        )
    text += "\n"
    return EditedText(subject, text, templates.html_from_text(text, language, subject))


def rewritten_letter(letter_json: str, edited: EditedText) -> str:
    """The frozen letter with the edited subject and text, so the PDF says what the e-mail
    says; addresses and date stay as they were."""
    letter = Letter.from_json(letter_json)
    return replace(letter, subject=edited.subject, body=edited.text.strip()).to_json()
