"""Posting and refreshing approval cards. A card is re-rendered from its row after every
change; a Slack error is logged with its context and never undoes the decision."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.domain.policy import Policy, Stage
from bot.services import cards
from bot.services.reminder_view import load_views
from bot.slack.blocks.card import card_fallback, reminder_card
from bot.slack.blocks.digest import more_cards_note

log = logging.getLogger(__name__)


class CardPublisher:
    def __init__(
        self, engine: Engine, client: WebClient, policy: Callable[[], Policy] | None = None
    ):
        self.engine = engine
        self.client = client
        self.policy = policy  # read at each card: a lead's change applies at once

    def _stage(self, name: str) -> Stage | None:
        return self.policy().find_stage(name) if self.policy else None

    def post_new(
        self,
        run_date: date,
        channel: str,
        thread_ts: str,
        channel_stages: Collection[str] = (),
        page: int = 20,
    ) -> int:
        """Post a card for each of the day's reminders that needs the channel and has none yet,
        at most `page`, then one note for the rest; returns how many cards were posted."""
        posted = 0
        todo = cards.without_card(self.engine, run_date, channel_stages, page)
        for view in load_views(self.engine, todo.ids):
            try:
                response = self.client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread_ts,
                    text=card_fallback(view, self._stage(view.stage)),
                    blocks=reminder_card(view, run_date, self._stage(view.stage)),
                    unfurl_links=False,
                )
            except SlackApiError as exc:
                log.error(
                    "could not post the card of reminder %s to %s: %s",
                    view.id,
                    channel,
                    exc.response.get("error"),
                )
                continue
            cards.attach(self.engine, view.id, response["channel"], response["ts"])
            posted += 1
        if todo.left:
            self._say(channel, thread_ts, more_cards_note(todo.left))
        return posted

    def _say(self, channel: str, thread_ts: str, text: str) -> None:
        try:
            self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except SlackApiError as exc:
            log.error("could not post to %s: %s", channel, exc.response.get("error"))

    def refresh(self, reminder_ids: list[int], today: date) -> None:
        for view in load_views(self.engine, reminder_ids):
            if not view.slack_ts:
                continue
            try:
                self.client.chat_update(
                    channel=view.slack_channel,
                    ts=view.slack_ts,
                    text=card_fallback(view, self._stage(view.stage)),
                    blocks=reminder_card(view, today, self._stage(view.stage)),
                )
            except SlackApiError as exc:
                log.error(
                    "could not update the card of reminder %s (%s/%s): %s",
                    view.id,
                    view.slack_channel,
                    view.slack_ts,
                    exc.response.get("error"),
                )
