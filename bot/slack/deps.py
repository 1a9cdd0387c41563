"""What the listeners share, built once per app."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from slack_sdk import WebClient

from bot.db import unit_of_work
from bot.runtime import Runtime
from bot.services import audit
from bot.slack.access import Approvers
from bot.slack.cards import CardPublisher

log = logging.getLogger("bot.slack")


@dataclass
class Deps:
    runtime: Runtime
    client: WebClient
    approvers: Approvers
    cards: CardPublisher
    instance: str

    def today(self) -> date:
        return self.runtime.company_today(self.runtime.now())

    def refuse(self, user: str, what: str, reply, detail: dict | None = None) -> None:  # type: ignore[no-untyped-def]
        """A polite refusal to the person, a warning in the log, an event in the audit trail."""
        log.warning("refused %s to %s (%s)", what, user, detail or {})
        with unit_of_work(self.runtime.engine) as session:
            audit.append(session, audit.NewEvent(
                kind="refused", actor=user, content={"action": what, **(detail or {})}))
        reply(f"Sorry, you are not among the people who may {what}. "
              f"Approvers: {self.approvers.who()}.")


def is_retry(headers: dict) -> bool:
    """Slack resends a request it thinks was lost (`X-Slack-Retry-Num`)."""
    return bool(headers.get("x-slack-retry-num"))
