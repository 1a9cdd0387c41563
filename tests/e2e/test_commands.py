"""`/relance` sub-commands end to end: good arguments do what they say, bad ones get a clear
ephemeral answer and change nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.db import unit_of_work
from bot.models import AuditEvent, Contact, Customer, Dispute, Promise
from bot.slack.blocks.modals import CALL_CALLBACK
from tests.support.blockkit import check_message, check_modal
from tests.support.slack_fixtures import APPROVER, STRANGER, SlackWorld
from tests.support.slack_steps import ask


def snapshot(world: SlackWorld) -> list:
    with world.engine.connect() as conn:
        return [
            conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all()
            for t in ("customer", "invoice", "promise", "dispute", "contact", "audit_event")
        ]


def today(world: SlackWorld):  # type: ignore[no-untyped-def]
    return world.runtime.company_today(world.runtime.now())


BAD = [
    ("promise NOPE-1 2030-01-01", "No invoice numbered 'NOPE-1'."),
    ("promise A-1 2020-01-01", "2020-01-01 is in the past"),
    ("promise A-1 soon", "'soon' is not a date"),
    ("promise A-1 2030-01-01 -5", "The amount must be more than zero."),
    ("promise A-1 2030-01-01 10.0012", "more than 2 decimal places for EUR"),
    ("promise A-1 2030-01-01 1,500", "'1,500' is not an amount: write it as 1234.56"),
    ("promise A-1 2030-01-01 99999", "is more than the balance still open"),
    ("promise A-1", "Usage: `/relance promise"),
    ("dispute NOPE-1 wrong amount", "No invoice numbered 'NOPE-1'."),
    ("dispute A-1", "Usage: `/relance dispute"),
    ("resolve A-1", "Invoice A-1 has no open dispute."),
    ("pause Nobody", "No customer matches 'Nobody'."),
    ("pause Atelier 2020-01-01", "2020-01-01 is in the past"),
    ("resume Atelier", "Atelier Lefèvre is not paused."),
    ("customer Nobody", "No customer matches 'Nobody'."),
    ("audit Nobody", "No customer matches 'Nobody'."),
    ("log-call Nobody", "No customer matches 'Nobody'."),
]


@pytest.mark.parametrize(("text", "answer"), BAD, ids=[t for t, _a in BAD])
def test_bad_arguments_are_explained_and_change_nothing(
    world: SlackWorld, text: str, answer: str
) -> None:
    before = snapshot(world)
    reply = ask(world, text)
    assert answer in reply["text"], reply["text"]
    assert reply["response_type"] == "ephemeral"
    assert snapshot(world) == before


def test_strangers_are_refused_and_logged(world: SlackWorld) -> None:
    reply = ask(world, "customer Atelier", user=STRANGER)
    assert reply["text"].startswith("Sorry, you are not among the people who may use")
    with unit_of_work(world.engine) as session:
        assert (
            session.exec(select(AuditEvent.actor).where(AuditEvent.kind == "refused")).one()
            == STRANGER
        )


def test_promise_dispute_resolve_pause_resume(world: SlackWorld) -> None:
    due = (today(world) + timedelta(days=7)).isoformat()
    assert "Recorded: 500.00 of A-1 promised for" in ask(world, f"promise A-1 {due} 500.00")["text"]
    assert "B-1 is disputed" in ask(world, "dispute B-1 Goods arrived damaged")["text"]
    assert "already disputed" in ask(world, "dispute B-1 again")["text"]
    assert "resolved" in ask(world, "resolve B-1 credit note sent")["text"]
    assert "paused until" in ask(world, f"pause Brasserie {due}")["text"]
    assert "resume" in ask(world, "resume Brasserie")["text"]
    with unit_of_work(world.engine) as session:
        promise = session.exec(select(Promise)).one()
        dispute = session.exec(select(Dispute)).one()
        brasserie = session.exec(select(Customer).where(Customer.external_id == "C")).one()
        kinds = session.exec(select(AuditEvent.kind).order_by(AuditEvent.seq)).all()
    assert (promise.amount_minor, promise.promised_date.isoformat()) == (50000, due)
    assert dispute.resolved_by == APPROVER and dispute.reason == "Goods arrived damaged"
    assert not brasserie.paused
    assert kinds[-5:] == ["promise", "dispute", "dispute_resolved", "pause", "resume"]


def test_customer_and_audit_answers(world: SlackWorld) -> None:
    ask(world, f"promise A-1 {(today(world) + timedelta(days=3)).isoformat()}")
    account = ask(world, "customer atelier")
    check_message(account["blocks"])
    text = json.dumps(account["blocks"], ensure_ascii=False)
    assert "Atelier Lefèvre" in text and "A-1" in text and "promised for" in text
    trail = ask(world, "audit A-1")
    check_message(trail["blocks"])
    assert "*promise*" in json.dumps(trail["blocks"])


def test_log_call_opens_the_form_and_records_the_promise(world: SlackWorld) -> None:
    assert (
        world.slack.command(
            "log-call Atelier reached", user=APPROVER, response_url=world.fake.response_url()
        ).status
        == 200
    )
    opened = world.fake.wait_for(lambda: world.fake.calls_to("views.open"))[0].args["view"]
    check_modal(opened)
    outcome = next(b for b in opened["blocks"] if b.get("block_id") == "outcome")
    assert outcome["element"]["initial_option"]["value"] == "reached"

    promised = (today(world) + timedelta(days=10)).isoformat()
    values = {
        "outcome": {"value": {"type": "static_select", "selected_option": {"value": "reached"}}},
        "promise_date": {"value": {"type": "datepicker", "selected_date": promised}},
        "amount": {"value": {"type": "plain_text_input", "value": "200"}},
        "notes": {"value": {"type": "plain_text_input", "value": "Pays next week"}},
    }
    reply = world.slack.submit(CALL_CALLBACK, opened["private_metadata"], values, user=APPROVER)
    assert reply.status == 200 and reply.body == ""
    with unit_of_work(world.engine) as session:
        contact = session.exec(select(Contact)).one()
        promise = session.exec(select(Promise)).one()
    assert (contact.channel, contact.outcome, contact.notes) == (
        "phone",
        "reached",
        "Pays next week",
    )
    assert promise.amount_minor == 20000 and promise.promised_date.isoformat() == promised

    past = (today(world) - timedelta(days=1)).isoformat()
    values["promise_date"]["value"]["selected_date"] = past
    refused = world.slack.submit(
        CALL_CALLBACK, opened["private_metadata"], values, user=APPROVER
    ).json()
    assert refused["response_action"] == "errors"
    assert "in the past" in refused["errors"]["promise_date"]


def test_assign_gives_a_customer_an_owner(world: SlackWorld) -> None:
    reply = ask(world, f"assign Atelier <@{STRANGER}|someone>")
    assert reply["text"] == f"👤 <@{STRANGER}> now chases Atelier Lefèvre."
    with unit_of_work(world.engine) as session:
        customer = session.exec(select(Customer).where(Customer.name == "Atelier Lefèvre")).one()
    assert customer.owner == STRANGER
    assert "not a Slack user id" in ask(world, "assign Atelier somebody")["text"]
