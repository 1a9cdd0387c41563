"""A dispute, a promise or a payment the customer mentions, recorded from under their message,
shows at once: their card in the digest thread no longer offers *Approve* (the suggestion
expired, with why), their owner's Home no longer lists it, and other customers' cards are
left alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.channels.email import message_id
from bot.db import read_only, unit_of_work
from bot.models import Customer, InboundMessage, Reminder
from bot.services.inbox import mailbox as inbox
from bot.slack.blocks.inbound import DISPUTE, DISPUTE_CALLBACK, PAID, PROMISE, PROMISE_CALLBACK
from bot.slack.client import make_client
from bot.slack.ids import APPROVE
from bot.slack.inbox_poster import post_inbound
from tests.support.dkim_signer import signed, trusting
from tests.support.mail_samples import reply
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_steps import ephemerals, post_digest
from tests.support.worklists import row_ids

Act = Callable[[SlackWorld, str], None]


def _dispute(world: SlackWorld, inbound_id: str) -> None:
    world.slack.click(DISPUTE, inbound_id, user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: world.fake.calls_to("views.update"))  # the modal, filled
    values = {
        "invoices": {
            "value": {"type": "multi_static_select", "selected_options": [{"value": "A-1"}]}
        },
        "reason": {"value": {"type": "plain_text_input", "value": "broken crate"}},
    }
    assert world.slack.submit(DISPUTE_CALLBACK, inbound_id, values, user=APPROVER).status == 200


def _promise(world: SlackWorld, inbound_id: str) -> None:
    world.slack.click(PROMISE, inbound_id, user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: world.fake.calls_to("views.update"))
    promised = (world.runtime.now() + timedelta(days=10)).date().isoformat()
    values = {
        "date": {"value": {"type": "datepicker", "selected_date": promised}},
        "amount": {"value": {"type": "plain_text_input", "value": ""}},
    }
    assert world.slack.submit(PROMISE_CALLBACK, inbound_id, values, user=APPROVER).status == 200


def _paid(world: SlackWorld, inbound_id: str) -> None:
    world.slack.click(PAID, inbound_id, user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: any("says they paid" in t for t in ephemerals(world)))


def _morning_with_a_reply(
    world: SlackWorld, owned: tuple[str, ...] = ()
) -> tuple[list[Reminder], str]:
    """Today's reminders (those of the `owned` customers on the approver's worklist, the others
    as cards in the digest thread), and Atelier Lefèvre's reply to theirs."""
    with unit_of_work(world.engine) as session:
        for customer in session.exec(select(Customer).where(Customer.external_id.in_(owned))):
            customer.owner = APPROVER
    reminders = post_digest(world, cards=3 - len(owned))
    atelier = next(r for r in reminders if r.invoice_numbers == "A-1")
    settings, now = world.runtime.settings, world.runtime.now()
    mail = reply(
        text="The crate was broken; we pay on the 15th.",
        in_reply_to=message_id(atelier.id, settings),
    )
    listening = trusting(settings)
    assert inbox.record(world.engine, "INBOX", 7, 1, signed(mail), now, listening) is not None
    assert post_inbound(world.runtime, make_client(settings), "CDIGEST", now) == 1
    with read_only(world.engine) as session:
        inbound_id = str(session.exec(select(InboundMessage.id)).one())
    return reminders, inbound_id


@pytest.mark.parametrize(
    ("act", "why"),
    [
        (_dispute, "A-1 disputed by the customer"),
        (_promise, "the customer promised to pay by"),
        (_paid, "the customer says they paid"),
    ],
)
def test_the_card_shows_what_the_message_changed(world: SlackWorld, act: Act, why: str) -> None:
    cards, inbound_id = _morning_with_a_reply(world)
    atelier = next(r for r in cards if r.invoice_numbers == "A-1")
    others = [r for r in cards if r is not atelier]
    before = len(world.fake.calls_to("chat.update"))

    act(world, inbound_id)

    def atelier_updated() -> list[dict]:
        updated = [c.args for c in world.fake.calls_to("chat.update")[before:]]
        return [u for u in updated if u["ts"] == atelier.slack_ts]

    (card,) = world.fake.wait_for(atelier_updated)
    shown = json.dumps(card["blocks"], ensure_ascii=False)
    assert "⌛ Expired: no longer holds" in shown and why in shown, shown
    assert f'"{APPROVE}"' not in shown and "reply waiting" not in shown
    updated = {c.args["ts"] for c in world.fake.calls_to("chat.update")[before:]}
    assert not updated & {r.slack_ts for r in others}  # other customers' cards left alone


def test_the_owners_worklist_shows_what_the_message_changed(world: SlackWorld) -> None:
    reminders, inbound_id = _morning_with_a_reply(world, owned=("A", "C"))
    atelier, brasserie = (
        next(r for r in reminders if r.invoice_numbers == n) for n in ("A-1", "C-1")
    )
    assert not atelier.slack_ts  # no card: it lives on its owner's Home
    before = len(world.fake.calls_to("views.publish"))

    _promise(world, inbound_id)

    home = world.fake.wait_for(lambda: world.fake.calls_to("views.publish")[before:])[-1].args
    assert home["user_id"] == APPROVER
    assert row_ids(home["view"]) == [brasserie.id]  # Atelier Lefèvre's left it
