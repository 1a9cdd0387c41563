"""Background work inside `relance run`: the digest clock. It only decides when to try; the
database decides who posts (see services/digest.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

log = logging.getLogger(__name__)


class Ticker(threading.Thread):
    """Calls `work` every `interval` seconds until stopped; an error is logged, not fatal."""

    def __init__(self, name: str, interval: float, work: Callable[[datetime], object]):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.work = work
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.work(datetime.now(UTC))
            except Exception:
                log.exception("%s failed; trying again in %s s", self.name, self.interval)
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
