"""*Letter (PDF)* on a final-notice card: the letter, posted as a file in the card's thread
(approvers only: it is the customer's financial data)."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.rendering.staff_text import _
from bot.services.delivery.letters import letter_pdf
from bot.slack.deps import Deps, log
from bot.slack.ids import LETTER
from bot.slack.listeners.actions.card_click import Click, on_card_click


def register(app: App, deps: Deps) -> None:
    @on_card_click(app, deps, LETTER, "download letters")
    def letter_clicked(click: Click) -> None:
        def upload() -> None:
            letter = letter_pdf(deps.runtime.drafter(), deps.runtime.settings, click.reminder_id)
            if letter is None:
                click.reply(_("Reminder {id} has no letter.", id=click.reminder_id))
                return
            try:
                deps.client.files_upload_v2(
                    channel=letter.slack_channel,
                    thread_ts=letter.slack_ts,
                    filename=letter.filename,
                    content=letter.content,
                    title=f"Final notice — reminder {letter.reminder_id}",
                )
            except SlackApiError as exc:
                log.error(
                    "could not upload letter %s: %s", letter.reminder_id, exc.response.get("error")
                )
                click.reply(
                    "Sorry, Slack did not take the letter; "
                    f"`relance letter {letter.reminder_id}` writes it to a file."
                )

        deps.later(upload, f"uploading the letter of {click.reminder_id}")
