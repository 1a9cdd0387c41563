"""Acknowledgements first: work done after `ack()` waits while Slack requests are in flight.

A burst of clicks arrives at once on a busy morning. Python threads share one interpreter lock,
so the database writes and card re-renders started by the first clicks would slow down the
acknowledgement of every click still arriving — and Slack shows the person an error when one
takes more than three seconds. The work pool asks this gate before each job: it goes ahead once
no request has been in flight for `settle` seconds, and in any case `max_wait` after it was
handed over — counted from then, not from when a worker picks it up, so that under steady
traffic a backlog drains at full speed instead of each job waiting its own `max_wait`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class RequestGate:
    def __init__(self, settle: float = 0.05, max_wait: float = 2.0):
        self.settle = settle
        self.max_wait = max_wait
        self._in_flight = 0
        self._last_left = 0.0
        self._changed = threading.Condition()

    @contextmanager
    def request(self) -> Iterator[None]:
        """Count one request as in flight while the block runs."""
        with self._changed:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._changed:
                self._in_flight -= 1
                self._last_left = time.monotonic()
                self._changed.notify_all()

    def deadline(self) -> float:
        """The latest start for work handed over now, busy or not."""
        return time.monotonic() + self.max_wait

    def wait_quiet(self, deadline: float | None = None) -> None:
        """Return once no request is in flight and none has ended for `settle` seconds, or at
        `deadline` (by default `max_wait` from now)."""
        deadline = self.deadline() if deadline is None else deadline
        with self._changed:
            while (now := time.monotonic()) < deadline:
                if self._in_flight:
                    self._changed.wait(deadline - now)
                elif (quiet_for := now - self._last_left) < self.settle:
                    self._changed.wait(min(self.settle - quiet_for, deadline - now))
                else:
                    return
