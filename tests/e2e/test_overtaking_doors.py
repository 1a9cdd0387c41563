"""A dispute or a promise recorded by `/relance dispute`, `/relance promise`, on a call, or by
the customer on their page, a pause (`/relance pause`) and an agreed plan (`/relance plan`)
show at once on the cards, as one recorded from under a customer's message does
(test_inbound_cards.py): a suggestion it overtakes no longer offers *Approve* (it expired,
with why), an approved e-mail still waiting to leave says it will not be sent, and other
customers' cards are left alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.db import read_only, unit_of_work
from bot.models import Outbox, Reminder, ReminderInvoice
from bot.slack.blocks.modals import CALL_CALLBACK
from bot.slack.ids import APPROVE
from tests.support.fake_slack import FakeSlack
from tests.support.page_world import CARD_CHANNEL, CARD_TS, PageWorld
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_steps import ask, post_digest, reminder

Act = Callable[[SlackWorld], None]


def _promised(world: SlackWorld) -> date:
    return world.runtime.company_today(world.runtime.now()) + timedelta(days=10)


def _dispute(world: SlackWorld) -> None:
    assert "is disputed" in ask(world, "dispute A-1 broken crate")["text"]


def _promise(world: SlackWorld) -> None:
    assert "Recorded" in ask(world, f"promise A-1 {_promised(world).isoformat()}")["text"]


def _pause(world: SlackWorld) -> None:
    assert "are paused until someone resumes them" in ask(world, "pause Atelier")["text"]


def _plan_from(world: SlackWorld) -> date:
    return world.runtime.company_today(world.runtime.now()) + timedelta(days=7)


def _plan(world: SlackWorld) -> None:
    assert "Plan agreed" in ask(world, "plan Atelier 3")["text"]


def _call(world: SlackWorld) -> None:
    response_url = world.fake.response_url()
    assert world.slack.command("log-call Atelier", user=APPROVER, response_url=response_url)
    opened = world.fake.wait_for(lambda: world.fake.calls_to("views.open"))[-1].args["view"]
    values = {
        "outcome": {"value": {"type": "static_select", "selected_option": {"value": "reached"}}},
        "promise_date": {
            "value": {"type": "datepicker", "selected_date": _promised(world).isoformat()}
        },
        "amount": {"value": {"type": "plain_text_input", "value": ""}},
        "notes": {"value": {"type": "plain_text_input", "value": "pays on the 10th"}},
    }
    reply = world.slack.submit(CALL_CALLBACK, opened["private_metadata"], values, user=APPROVER)
    assert reply.status == 200 and reply.body == ""


def _card_shown(fake: FakeSlack, ts: str, before: int, *, saying: str) -> str:
    """The blocks of the card at `ts` once an update after the `before`th one says `saying`."""

    def shown() -> str:
        for call in fake.calls_to("chat.update")[before:]:
            blocks = json.dumps(call.args["blocks"], ensure_ascii=False)
            if call.args["ts"] == ts and saying in blocks:
                return blocks
        return ""

    return fake.wait_for(shown)


def _updated(fake: FakeSlack, before: int) -> set[str]:
    return {c.args["ts"] for c in fake.calls_to("chat.update")[before:]}


DOORS = [
    (_dispute, "A-1 disputed by the customer"),
    (_promise, "the customer promised to pay by {date}"),
    (_call, "the customer promised to pay by {date}"),
    (_pause, "reminders are paused"),
    (_plan, "a payment plan was agreed, its first instalment due {first}"),
]


def _said(fact: str, world: SlackWorld) -> str:
    return fact.format(date=_promised(world).isoformat(), first=_plan_from(world).isoformat())


@pytest.mark.parametrize(("act", "fact"), DOORS)
def test_the_card_a_command_or_a_call_overtakes_expires(
    world: SlackWorld, act: Act, fact: str
) -> None:
    cards = post_digest(world)
    atelier = next(r for r in cards if r.invoice_numbers == "A-1")
    others = {r.slack_ts for r in cards if r is not atelier}
    before = len(world.fake.calls_to("chat.update"))

    act(world)

    why = f"⌛ Expired: no longer holds: {_said(fact, world)}"
    shown = _card_shown(world.fake, atelier.slack_ts, before, saying=why)
    assert f'"{APPROVE}"' not in shown
    assert reminder(world, atelier.id).state == "expired"
    assert not _updated(world.fake, before) & others  # other customers' cards left alone


@pytest.mark.parametrize(("act", "fact"), DOORS)
def test_an_approved_email_still_waiting_is_stopped_and_its_card_says_so(
    world: SlackWorld, act: Act, fact: str
) -> None:
    cards = post_digest(world)
    atelier = next(r for r in cards if r.invoice_numbers == "A-1")
    others = {r.slack_ts for r in cards if r is not atelier}
    click = world.slack.click(
        APPROVE, str(atelier.id), user=APPROVER, response_url=world.fake.response_url()
    )
    assert click.status == 200
    world.fake.wait_for(lambda: reminder(world, atelier.id).state == "approved")
    before = len(world.fake.calls_to("chat.update"))

    act(world)

    why = f"🚫 Not sent: since its approval, {_said(fact, world)}"
    _card_shown(world.fake, atelier.slack_ts, before, saying=why)
    with read_only(world.engine) as session:
        queued = session.exec(select(Outbox).where(Outbox.reminder_id == atelier.id)).one()
    assert queued.state == "cancelled" and reminder(world, atelier.id).state == "cancelled"
    assert not _updated(world.fake, before) & others


OTHER_TS = "1764150000.000300"


@pytest.mark.parametrize(
    ("action", "form", "fact"),
    [
        ("promise", {"invoice": "F-101", "amount": ""}, "the customer promised to pay by"),
        (
            "dispute",
            {"invoice": "F-101", "reason": "wrong_amount", "text": "We ordered 2"},
            "F-101 disputed by the customer",
        ),
        ("paid", {"amount": "100", "reference": "transfer 12"}, "the customer says it is paid"),
    ],
)
def test_the_card_a_customer_overtakes_on_their_page_expires(
    page_world: PageWorld, action: str, form: dict[str, str], fact: str
) -> None:
    with unit_of_work(page_world.engine) as session:  # another customer's card
        session.add(
            Reminder(
                customer_id=page_world.customers["B"],
                run_date=page_world.today,
                stage="firm",
                channel="email",
                language="de",
                invoices=ReminderInvoice.listing(["D-201"]),
                slack_channel=CARD_CHANNEL,
                slack_ts=OTHER_TS,
            )
        )
    due = (page_world.today + timedelta(days=10)).isoformat()
    url = page_world.link("A")
    csrf = page_world.csrf(url)  # the customer opens the page: their card says it was seen
    _card_shown(page_world.fake, CARD_TS, 0, saying="Customer page seen")
    before = len(page_world.fake.calls_to("chat.update"))

    dated = {"date": due, "paid_on": page_world.today.isoformat()}
    answer = page_world.post(url, action, {**form, **dated, "csrf": csrf}, csrf=False)

    assert answer.status == 303
    shown = _card_shown(page_world.fake, CARD_TS, before, saying="⌛ Expired: no longer holds")
    assert fact in shown and f'"{APPROVE}"' not in shown
    (news,) = page_world.news()  # the collector is told, in the card's thread, as before
    assert news["thread_ts"] == CARD_TS
    assert OTHER_TS not in _updated(page_world.fake, before)
    with read_only(page_world.engine) as session:
        states = {r.slack_ts: r.state for r in session.exec(select(Reminder))}
    assert states == {CARD_TS: "expired", OTHER_TS: "suggested"}
