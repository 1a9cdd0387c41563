"""Work after `ack()` lets the requests in flight be answered first, but is never starved."""

from __future__ import annotations

import threading
import time

from bot.slack.request_gate import RequestGate


def _waiter(gate: RequestGate, deadline: float | None = None) -> threading.Event:
    done = threading.Event()
    threading.Thread(target=lambda: (gate.wait_quiet(deadline), done.set()), daemon=True).start()
    return done


def test_work_waits_until_the_request_in_flight_is_answered() -> None:
    gate = RequestGate(settle=0.0, max_wait=30)
    with gate.request():
        done = _waiter(gate)
        assert not done.wait(0.3)  # still held while the request is in flight
    assert done.wait(5)


def test_work_waits_for_a_burst_to_settle() -> None:
    gate = RequestGate(settle=0.5, max_wait=30)
    with gate.request():
        pass
    done = _waiter(gate)
    assert not done.wait(0.1)  # a request just ended: more of the burst may follow
    assert done.wait(5)


def test_steady_traffic_cannot_starve_the_work() -> None:
    gate = RequestGate(settle=0.0, max_wait=0.2)
    with gate.request():
        assert _waiter(gate).wait(5)


def test_work_queued_past_its_deadline_goes_at_once_under_steady_traffic() -> None:
    gate = RequestGate(settle=0.0, max_wait=2)
    with gate.request():
        deadline = gate.deadline()  # handed over now; then it waits behind other jobs
        time.sleep(2.1)
        assert _waiter(gate, deadline).wait(1.5)  # no second max_wait of its own


def test_with_nothing_in_flight_work_goes_ahead() -> None:
    assert _waiter(RequestGate(settle=0.0)).wait(5)
