"""Text that staff edit in Slack: placeholders still work, rendered in jinja2's sandbox, and
the HTML part is built from the edited text (escaped), so both parts say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import TemplateError

from bot.rendering.context import Sender
from bot.rendering.locale import money
from bot.rendering.templates import Templates
from bot.services.reminder_view import ReminderView


class EditInvalid(ValueError):
    """Edited text that cannot be rendered; the message says what to fix."""


@dataclass(frozen=True)
class EditedText:
    subject: str
    text: str
    html: str


def render_edit(
    templates: Templates, sender: Sender, view: ReminderView, subject: str, body: str
) -> EditedText:
    context = {
        "customer_name": view.customer_name,
        "contact_name": view.contact_name or view.customer_name,
        "total": " + ".join(money(t, view.locale) for t in view.totals()),
        "invoices": [i.number for i in view.invoices],
        "sender": sender,
    }
    try:
        subject = templates.render_edited(subject, context).strip()
        text = templates.render_edited(body, context).strip() + "\n"
    except TemplateError as exc:
        raise EditInvalid(
            f"{exc.message}. Placeholders you can use: "
            + ", ".join("{{ " + name + " }}" for name in context if name != "sender")
            + ", {{ sender.company }}"
        ) from exc
    if not subject or not text.strip():
        raise EditInvalid("the subject and the message cannot be empty")
    return EditedText(subject, text, templates.html_from_text(text, view.language, subject))
