"""What the listeners share, built once per app."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from slack_sdk import WebClient

from bot.rendering.staff_text import _, carried
from bot.services.audit.refusals import record_refusal
from bot.services.common.context import Runtime
from bot.services.common.transient import is_transient
from bot.slack import journal
from bot.slack.access import Approvers
from bot.slack.cards import CardPublisher
from bot.slack.journal import cause_of, failure_text
from bot.slack.request_gate import RequestGate

log = logging.getLogger("bot.slack")


WORK_THREADS = 2
RETRY_PAUSES = (0.2, 1.0, 3.0)  # seconds before each new try of work after ack()


class Reply(Protocol):
    """An ephemeral answer to the person who asked."""

    def __call__(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None: ...


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

    def later(
        self, job: Callable[[], object], what: str, tell: Callable[[str], object] | None = None
    ) -> None:
        """Run the slow part of a handler after its `ack()`, on a small pool of its own, once
        the requests in flight are answered (see `RequestGate`).

        Few threads on purpose: under a burst of clicks, CPU-bound work in many threads would
        hold the GIL away from the threads that send the acknowledgements Slack waits for.
        The person was told "received": a transient database error (a dropped connection) is
        retried; if the work still fails, they are told why (where they clicked, else by
        `tell`), so nothing vanishes silently. The journaled request it belongs to is marked
        handled when it ends (bot/slack/journal.py): a worker killed before leaves it to
        another instance's recovery.
        """
        deadline = self.gate.deadline()
        entry = journal.current.get()  # the journaled request this work belongs to, if any
        if entry is not None:
            entry.hold()

        def run() -> None:
            cause = None
            try:
                self.gate.wait_quiet(deadline)
                cause = self._retried(job, what)
                if cause is not None:
                    self._tell_failure(entry, tell, failure_text(what, cause))
            finally:
                if entry is not None:
                    entry.release(cause)

        self.work.submit(carried(run))

    @staticmethod
    def _retried(job: Callable[[], object], what: str) -> str | None:
        """Run `job`, again after a transient database error; the cause if it failed for good."""
        pauses = iter(RETRY_PAUSES)
        while True:
            try:
                job()
                return None
            except Exception as exc:
                pause = next(pauses, None)
                if pause is None or not is_transient(exc):
                    log.exception("%s failed after it was acknowledged", what)
                    return cause_of(exc)
                log.warning("%s hit a transient error, retrying: %s", what, exc)
                time.sleep(pause)

    def _tell_failure(
        self, entry: journal.Entry | None, tell: Callable[[str], object] | None, text: str
    ) -> None:
        """Ephemerally where the person clicked when known, else by `tell`."""
        try:
            if entry is not None and entry.tell(self.client, text):
                return
            if tell is not None:
                tell(text)
        except Exception:
            log.exception("could not tell anyone: %s", text)

    def tell_user(self, user: str) -> Callable[[str], object]:
        """A direct message to `user`, for work after a form (which has no reply URL)."""
        return lambda text: self.client.chat_postMessage(channel=user, text=text)

    def today(self) -> date:
        return self.runtime.company_today(self.runtime.now())

    def refuse(
        self, user: str, what: str, reply: Reply, detail: dict[str, Any] | None = None
    ) -> None:
        """A polite refusal to the person, a warning in the log, an event in the audit trail."""
        log.warning("refused %s to %s (%s)", what, user, detail or {})
        record_refusal(self.runtime.engine, user, what, detail)
        reply(
            _(
                "Sorry, you are not among the people who may {what}. Approvers: {approvers}.",
                what=_(what),
                approvers=self.approvers.who(),
            )
        )


def refuse_submission(
    deps: Deps,
    ack: Callable[..., object],
    user: str,
    block: str,
    what: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """A modal submitted by someone not allowed: the error shows in the modal, and the attempt
    is logged and recorded like any other refusal."""
    ack(
        response_action="errors",
        errors={block: _("You are not among the people who may {what}.", what=_(what))},
    )
    deps.refuse(user, what, lambda _text, blocks=None: None, detail)
