"""*Approve all* never e-mails an address that bounced since the morning: those reminders are
left undecided, and the answer names their customers and what bounced."""

from __future__ import annotations

from sqlmodel import select

from bot.db import unit_of_work
from bot.domain.worklist import stage_titles
from bot.models import Customer
from bot.slack.ids import APPROVE_ALL, numbered
from bot.slack.mrkdwn import escape
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_steps import ephemerals, post_digest, reminder


def test_approve_all_leaves_out_and_names_a_bounced_address(world: SlackWorld) -> None:
    reminders = post_digest(world)
    first = reminders[0]
    with unit_of_work(world.engine) as session:
        customer = session.exec(select(Customer).where(Customer.id == first.customer_id)).one()
        customer.email_problem = "550 5.1.1 no such user"
        name = customer.name
        session.add(customer)
    world.slack.click(
        numbered(APPROVE_ALL, 0),
        f"{first.run_date.isoformat()}|{first.stage}",
        user=APPROVER,
        response_url=world.fake.response_url(),
    )
    (text,) = world.fake.wait_for(lambda: ephemerals(world))
    title = stage_titles(*world.runtime.policies())[first.stage]
    same_stage = [r for r in reminders if r.stage == first.stage]
    approved = len(same_stage) - 1
    assert text.startswith(
        f"Approved {approved} reminder{'s' if approved > 1 else ''} of the “{title}” stage."
        if len(same_stage) > 1
        else f"No “{title}” reminder was still waiting"
    )
    bounced = f"Left out, their address bounced (1): *{escape(name)}* (550 5.1.1 no such user)"
    assert bounced in text
    assert reminder(world, first.id).state == "suggested"
    assert {reminder(world, r.id).state for r in same_stage if r.id != first.id} <= {"approved"}
