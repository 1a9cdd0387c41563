"""Payment plans: limits enforced for staff, a lead may go beyond them, both in the audit
trail; a plan on track holds the ladder and a missed instalment releases it."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from bot.db import read_only, unit_of_work
from bot.domain.escalation import Reason, Suggestion
from bot.models import AuditEvent, Instalment, PaymentPlan, Reminder
from bot.services.accounts.plans import settle_plans
from bot.services.reminders.suggestions import todays_decisions
from bot.slack.cards import CardPublisher
from bot.slack.client import make_client
from bot.slack.digest_poster import post_thread_cards
from tests.support.fake_slack import violations_mark, violations_since
from tests.support.segments import key_accounts
from tests.support.slack_fixtures import APPROVER, OTHER_APPROVER, SlackWorld
from tests.support.slack_steps import ask


def decision_for(world: SlackWorld, external_id: str, now=None):  # type: ignore[no-untyped-def]
    with read_only(world.engine) as session:
        decisions = todays_decisions(session, world.runtime.policy, now or world.runtime.now())
    return next(d.decision for d in decisions if d.customer.external_id == external_id)


def test_a_plan_within_limits_holds_the_ladder(world: SlackWorld) -> None:
    assert isinstance(decision_for(world, "A"), Suggestion)
    reply = ask(world, "plan Atelier 3")["text"]
    assert reply.startswith("📅 Plan agreed with Atelier Lefèvre.")
    assert "confirmation with this schedule awaits approval" in reply
    with read_only(world.engine) as session:
        (told,) = session.exec(select(Reminder).where(Reminder.stage == "plan-confirmed")).all()
    assert told.state == "suggested" and told.subject.startswith("Votre échéancier de paiement")
    with unit_of_work(world.engine) as session:
        plan = session.exec(select(PaymentPlan)).one()
        parts = session.exec(select(Instalment).order_by(Instalment.due_date)).all()
        event = session.exec(select(AuditEvent).where(AuditEvent.kind == "plan")).one()
    assert [p.amount_minor for p in parts] == [41152, 41152, 41152]
    assert sum(p.amount_minor for p in parts) == plan.total_minor == 123456
    assert (parts[1].due_date - parts[0].due_date).days == 30
    assert event.actor == APPROVER and not json.loads(event.content)["beyond_limits"]
    held = decision_for(world, "A")
    assert held.reason is Reason.PROMISED  # type: ignore[union-attr]


def test_beyond_limits_refused_for_staff_accepted_for_a_lead(world: SlackWorld) -> None:
    refused = ask(world, "plan Atelier 12")["text"]
    assert "goes beyond the limits (12 instalments (the most is 6)" in refused
    assert "Nothing was set up" in refused
    accepted = ask(world, "plan Atelier 12", user=OTHER_APPROVER)["text"]
    assert "beyond the limits, agreed by a lead" in accepted
    with unit_of_work(world.engine) as session:
        plans = session.exec(select(PaymentPlan)).all()
        kinds = session.exec(
            select(AuditEvent.kind, AuditEvent.actor)
            .where(AuditEvent.kind.in_(["plan", "plan_refused"]))
            .order_by(AuditEvent.seq)
        ).all()
    assert len(plans) == 1 and plans[0].beyond_limits and plans[0].created_by == OTHER_APPROVER
    assert kinds == [("plan_refused", APPROVER), ("plan", OTHER_APPROVER)]


def test_a_missed_instalment_resumes_the_ladder(world: SlackWorld) -> None:
    today = world.runtime.company_today(world.runtime.now())
    ask(world, f"plan Atelier 2 {today.isoformat()}")
    assert settle_plans(world.engine, today + timedelta(days=3), world.runtime.governing()) == []
    missed = settle_plans(world.engine, today + timedelta(days=4), world.runtime.governing())
    assert len(missed) == 1
    later = world.runtime.now() + timedelta(days=7)
    assert isinstance(decision_for(world, "A", later), Suggestion)


def test_bad_plan_requests(world: SlackWorld) -> None:
    assert "How many instalments?" in ask(world, "plan Atelier many")["text"]
    assert "in the past" in ask(world, "plan Atelier 2 2020-01-01")["text"]
    assert "at least one instalment" in ask(world, "plan Atelier 0")["text"]
    ask(world, "plan Atelier 2")
    assert "already has a plan on track" in ask(world, "plan Atelier 3")["text"]


def test_a_customer_in_a_segment_is_held_to_its_segments_plan_limits(world: SlackWorld) -> None:
    key_accounts(world.runtime, "FR", plans={"max_instalments": 3})
    refused = ask(world, "plan Atelier 4")["text"]
    assert "goes beyond the limits (4 instalments (the most is 3))" in refused
    agreed = ask(world, "plan Brasserie 4")["text"]  # in Belgium: the main policy's 6
    assert agreed.startswith("📅 Plan agreed with Brasserie Van den Berg.")


THREAD = "1764150000.000100"


def test_the_confirmation_is_posted_for_approval_at_once_and_only_once(world: SlackWorld) -> None:
    """A plan agreed between two digests: the confirmation's card does not wait for the next
    one, and that one does not post it again."""
    mark = violations_mark()
    ask(world, "plan Atelier 3")

    def posted() -> Reminder | None:
        with read_only(world.engine) as session:
            told = session.exec(select(Reminder).where(Reminder.stage == "plan-confirmed")).one()
        return told if told.slack_ts else None

    told = world.fake.wait_for(posted)
    (card,) = [
        c for c in world.fake.calls_to("chat.postMessage") if c.response.get("ts") == told.slack_ts
    ]
    assert card.args["channel"] == told.slack_channel == "CDIGEST"
    assert "Votre échéancier de paiement" in json.dumps(card.args["blocks"], ensure_ascii=False)

    # asked again, or the digest's thread filled afterwards: not posted a second time
    client = make_client(world.runtime.settings)
    publisher = CardPublisher(world.runtime.drafter, client)
    assert not publisher.post_now(told.id, told.run_date, "CDIGEST", None)
    assert post_thread_cards(world.runtime, client, told.run_date, "CDIGEST", THREAD) == 0
    again = [
        c for c in world.fake.calls_to("chat.postMessage") if c.args["text"] == card.args["text"]
    ]
    assert again == [card]
    # the control: without its card, the digest's thread would have carried it
    with unit_of_work(world.engine) as session:
        session.get(Reminder, told.id).slack_ts = ""  # type: ignore[union-attr]
    assert post_thread_cards(world.runtime, client, told.run_date, "CDIGEST", THREAD) == 1
    assert violations_since(mark) == []
