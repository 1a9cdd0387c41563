"""*Letter (PDF)* on a final-notice card: the letter, posted as a file in the card's thread
(approvers only: it is the customer's financial data)."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.channels.letter import Letter, letter_filename, render_pdf
from bot.db import read_only
from bot.models import Reminder
from bot.slack.blocks.card import LETTER
from bot.slack.deps import Deps, log
from bot.slack.listeners.actions.card_click import Click, on_card_click


def register(app: App, deps: Deps) -> None:
    @on_card_click(app, deps, LETTER, "download letters")
    def letter_clicked(click: Click) -> None:
        def upload() -> None:
            with read_only(deps.runtime.engine) as session:
                reminder = session.get(Reminder, click.reminder_id)
            settings = deps.runtime.settings
            letter = Letter.from_json(reminder.letter_text)
            pdf = render_pdf(letter, settings.letter_font, settings.letter_bold_font)
            try:
                deps.client.files_upload_v2(
                    channel=reminder.slack_channel,
                    thread_ts=reminder.slack_ts,
                    filename=letter_filename(reminder.id, letter),
                    content=pdf,
                    title=f"Final notice — reminder {reminder.id}",
                )
            except SlackApiError as exc:
                log.error("could not upload letter %s: %s", reminder.id, exc.response.get("error"))
                click.reply(
                    "Sorry, Slack did not take the letter; "
                    f"`relance letter {reminder.id}` writes it to a file."
                )

        deps.later(upload, f"uploading the letter of {click.reminder_id}")
