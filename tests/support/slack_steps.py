"""Steps the end-to-end tests share: post the digest, ask a command, read what came back."""

from __future__ import annotations

from sqlmodel import select

from bot.db import unit_of_work
from bot.models import Reminder
from tests.support.slack_fixtures import APPROVER, SlackWorld


def post_digest(world: SlackWorld, cards: int = 3) -> list[Reminder]:
    """The morning's three reminders, once `cards` of them are posted (the others live on
    their owners' Homes)."""
    reply = world.slack.command(
        "digest", user=APPROVER, channel="CDIGEST", response_url=world.fake.response_url()
    )
    assert reply.status == 200

    def posted() -> list[Reminder]:
        with unit_of_work(world.engine) as session:
            reminders = session.exec(select(Reminder).order_by(Reminder.id)).all()
        posted = sum(1 for r in reminders if r.slack_ts)
        return reminders if len(reminders) == 3 and posted == cards else []

    return world.fake.wait_for(posted)


def reminder(world: SlackWorld, reminder_id: int) -> Reminder:
    with unit_of_work(world.engine) as session:
        return session.get(Reminder, reminder_id)


def ephemerals(world: SlackWorld) -> list[str]:
    return [c.args.get("text", "") for c in world.fake.calls_to("response_url")]


def ask(world: SlackWorld, text: str, user: str = APPROVER) -> dict:
    before = len(world.fake.calls_to("response_url"))
    assert (
        world.slack.command(text, user=user, response_url=world.fake.response_url()).status == 200
    )
    calls = world.fake.wait_for(
        lambda: (
            len(world.fake.calls_to("response_url")) > before
            and world.fake.calls_to("response_url")
        )
    )
    return calls[before].args
