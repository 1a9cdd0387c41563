"""Posting and refreshing approval cards. A card is re-rendered from its row after every
change; a Slack error is logged with its context and never undoes the decision."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.policy import Stage
from bot.domain.worklist import stage_titles
from bot.rendering.staff_text import language
from bot.services.overview import cards
from bot.services.overview.reminder_view import ReminderView, load_views
from bot.services.reminders.drafting import Drafter
from bot.slack.blocks.card import card_fallback, reminder_card
from bot.slack.blocks.digest import more_cards_note
from bot.slack.slack_errors import explain_exception, post_blocks

log = logging.getLogger(__name__)
UPDATE_EVERY = 1.0  # seconds between two updates of one card


class CardPublisher:
    def __init__(self, drafter: Callable[[], Drafter], client: WebClient):
        self.drafter = drafter  # read at each card: a lead's change to the policy applies at once
        self.client = client
        self._lock = threading.Lock()
        self._last_update: dict[int, float] = {}  # reminder id -> monotonic time of the update
        self._waiting: set[int] = set()  # reminder ids with an update already scheduled

    def _stage(self, view: ReminderView) -> Stage | None:
        """The stage as the policy that suggested the reminder has it (a segment's own stage
        keeps its label and icon); None for a thank-you note."""
        return self.drafter().policy_of(view.segment).find_stage(view.stage)

    def _titles(self, view: ReminderView) -> dict[str, str]:
        """Each stage key's label, for the stages the card says were sent before."""
        drafter = self.drafter()
        return stage_titles(drafter.policy_of(view.segment), drafter.policy, language=language())

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
        drafter = self.drafter()
        todo = cards.without_card(drafter.engine, run_date, channel_stages, page)
        for view in load_views(drafter, todo.ids):
            if not cards.claim(drafter.engine, view.id):  # posted at once meanwhile
                continue
            try:
                response = post_blocks(
                    self.client,
                    channel=channel,
                    thread_ts=thread_ts,
                    text=card_fallback(view, self._stage(view)),
                    blocks=reminder_card(view, run_date, self._stage(view), self._titles(view)),
                    unfurl_links=False,
                )
            except SlackApiError as exc:
                cards.release(drafter.engine, view.id)
                log.error(
                    "could not post the card of reminder %s: %s",
                    view.id,
                    explain_exception(exc, channel),
                )
                continue
            cards.attach(drafter.engine, view.id, response["channel"], response["ts"])
            posted += 1
        if todo.left:
            self._say(channel, thread_ts, more_cards_note(todo.left))
        return posted

    def post_now(
        self, reminder_id: int, run_date: date, channel: str, thread_ts: str | None
    ) -> bool:
        """One reminder's card at once (a plan's confirmation, not left for the next digest),
        when no card of it exists: once, whichever instance or digest comes too. False when
        it had one already or Slack refused (the digest then posts it)."""
        drafter = self.drafter()
        if not cards.claim(drafter.engine, reminder_id):
            return False
        try:
            (view,) = load_views(drafter, [reminder_id])
            response = post_blocks(
                self.client,
                channel=channel,
                thread_ts=thread_ts,
                text=card_fallback(view, self._stage(view)),
                blocks=reminder_card(view, run_date, self._stage(view)),
                unfurl_links=False,
            )
        except SlackApiError as exc:
            cards.release(drafter.engine, reminder_id)
            log.error(
                "could not post the card of reminder %s: %s",
                reminder_id,
                explain_exception(exc, channel),
            )
            return False
        except Exception:
            cards.release(drafter.engine, reminder_id)
            raise
        cards.attach(drafter.engine, reminder_id, response["channel"], response["ts"])
        return True

    def _say(self, channel: str, thread_ts: str, text: str) -> None:
        try:
            self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except SlackApiError as exc:
            log.error("could not post to %s: %s", channel, exc.response.get("error"))

    def refresh(self, reminder_ids: list[int], today: date) -> None:
        """Re-render these cards, at most once a second each (Slack's rate limit for
        `chat.update` is about one a second per message): a card updated less than a second
        ago gets one more update a second after the last, rendering whatever it is by then;
        requests in between add nothing."""
        now_ids = []
        with self._lock:
            if len(self._last_update) > 10_000:  # forget cards not updated within the second
                recent = time.monotonic() - UPDATE_EVERY
                self._last_update = {k: t for k, t in self._last_update.items() if t > recent}
            for reminder_id in reminder_ids:
                if reminder_id in self._waiting:
                    continue
                wait = self._last_update.get(reminder_id, float("-inf")) + UPDATE_EVERY
                wait -= time.monotonic()
                if wait <= 0:
                    self._last_update[reminder_id] = time.monotonic()
                    now_ids.append(reminder_id)
                    continue
                self._waiting.add(reminder_id)
                timer = threading.Timer(wait, self._update_later, (reminder_id, today))
                timer.daemon = True
                timer.start()
        if now_ids:
            self._update(now_ids, today)

    def _update_later(self, reminder_id: int, today: date) -> None:
        with self._lock:
            self._waiting.discard(reminder_id)
            self._last_update[reminder_id] = time.monotonic()
        try:
            self._update([reminder_id], today)
        except Exception:
            log.exception(
                "could not update the card of reminder %s",
                reminder_id,
                extra={"reminder_id": reminder_id},
            )

    def _update(self, reminder_ids: list[int], today: date) -> None:
        for view in load_views(self.drafter(), reminder_ids):
            if not view.slack_ts:
                continue
            try:
                self.client.chat_update(
                    channel=view.slack_channel,
                    ts=view.slack_ts,
                    text=card_fallback(view, self._stage(view)),
                    blocks=reminder_card(view, today, self._stage(view), self._titles(view)),
                )
            except SlackApiError as exc:
                log.error(
                    "could not update the card of reminder %s (%s/%s): %s",
                    view.id,
                    view.slack_channel,
                    view.slack_ts,
                    exc.response.get("error"),
                )
