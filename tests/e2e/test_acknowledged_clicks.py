"""An acknowledged click is never lost silently: a dropped database connection while the
decision is written is retried, and if the database stays away the person is told why,
ephemerally where they clicked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.slack.blocks.card import APPROVE
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_steps import ephemerals, post_digest, reminder


@contextmanager
def failing_reminder_updates(engine: Engine, times: int) -> Iterator[list[int]]:
    """The next `times` writes to a reminder fail as a dropped connection does (the driver's
    own OperationalError, raised where the statement would go to the server)."""
    left, failed, lock = [times], [0], threading.Lock()

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE REMINDER"):
            with lock:
                if left[0] > 0:
                    left[0] -= 1
                    failed[0] += 1
                    raise engine.dialect.loaded_dbapi.OperationalError(
                        "server closed the connection unexpectedly"
                    )

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield failed
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def test_a_dropped_connection_during_an_approval_is_retried(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    with failing_reminder_updates(world.engine, times=2) as failed:
        reply = world.slack.click(
            APPROVE, str(first.id), user=APPROVER, response_url=world.fake.response_url()
        )
        assert reply.status == 200
        world.fake.wait_for(lambda: reminder(world, first.id).state == "approved")
    assert failed == [2] and ephemerals(world) == []


def test_an_approval_that_cannot_be_written_is_reported_to_the_person(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    with failing_reminder_updates(world.engine, times=100):
        world.slack.click(
            APPROVE, str(first.id), user=APPROVER, response_url=world.fake.response_url()
        )
        calls = world.fake.wait_for(lambda: world.fake.calls_to("chat.postEphemeral"), timeout=15)
    told = calls[0].args
    assert (told["channel"], told["user"]) == ("CDIGEST", APPROVER)
    assert "may not have been recorded" in told["text"] and f"reminder {first.id}" in told["text"]
    assert "server closed the connection unexpectedly" in told["text"]  # the cause
    assert reminder(world, first.id).state == "suggested"
