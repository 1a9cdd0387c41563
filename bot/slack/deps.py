"""What the listeners share, built once per app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services.refusals import record_refusal
from bot.slack.access import Approvers
from bot.slack.cards import CardPublisher
from bot.slack.request_gate import RequestGate

log = logging.getLogger("bot.slack")


WORK_THREADS = 2


class Reply(Protocol):
    """An ephemeral answer to the person who asked."""

    def __call__(self, text: str, blocks: list[dict] | None = None) -> None: ...


@dataclass
class Deps:
    runtime: Runtime
    client: WebClient
    approvers: Approvers
    cards: CardPublisher
    instance: str
    work: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(
            max_workers=WORK_THREADS, thread_name_prefix="relance-work"
        )
    )
    gate: RequestGate = field(default_factory=RequestGate)

    def later(self, job: Callable[[], object], what: str) -> None:
        """Run the slow part of a handler after its `ack()`, on a small pool of its own, once
        the requests in flight are answered (see `RequestGate`).

        Few threads on purpose: under a burst of clicks, CPU-bound work in many threads would
        hold the GIL away from the threads that send the acknowledgements Slack waits for.
        """
        deadline = self.gate.deadline()

        def run() -> None:
            self.gate.wait_quiet(deadline)
            try:
                job()
            except Exception:
                log.exception("%s failed after it was acknowledged", what)

        self.work.submit(run)

    def today(self) -> date:
        return self.runtime.company_today(self.runtime.now())

    def refuse(self, user: str, what: str, reply: Reply, detail: dict | None = None) -> None:
        """A polite refusal to the person, a warning in the log, an event in the audit trail."""
        log.warning("refused %s to %s (%s)", what, user, detail or {})
        record_refusal(self.runtime.engine, user, what, detail)
        reply(
            f"Sorry, you are not among the people who may {what}. "
            f"Approvers: {self.approvers.who()}."
        )
