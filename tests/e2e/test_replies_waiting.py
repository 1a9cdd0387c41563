"""Replies waiting, end to end: a customer's reply recorded from the mailbox puts a flag with
its count on their card and on their worklist row, with the row's facts; once a person resumes
the customer's reminders, the flag is gone from both."""

from __future__ import annotations

import json

from bot.channels.email import message_id
from bot.services.inbox import mailbox as inbox
from bot.slack.blocks.inbound import RESUME
from bot.slack.blocks.worklist import HOME_PAGE
from bot.slack.cards import CardPublisher
from bot.slack.client import make_client
from bot.slack.inbox_poster import post_inbound
from tests.support.dkim_signer import signed, trusting
from tests.support.mail_samples import reply
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_steps import ephemerals, post_digest
from tests.support.worklists import home_action, open_home


def _nobodys_page(world: SlackWorld) -> str:
    """The unowned reminders' worklist (the sample ledger names no owner), as published."""
    view = open_home(world, APPROVER)["view"]
    before = len(world.fake.calls_to("views.publish"))
    click = home_action(
        {"type": "button", "action_id": HOME_PAGE, "value": "nobody|0"}, user=APPROVER, view=view
    )
    assert world.slack.post(click).status == 200
    published = world.fake.wait_for(lambda: world.fake.calls_to("views.publish")[before:])
    return json.dumps(published[0].args["view"], ensure_ascii=False)


def _row_of(page: str, customer: str) -> str:
    blocks = json.loads(page)["blocks"]
    return next(b["text"]["text"] for b in blocks if customer in b.get("text", {}).get("text", ""))


def test_a_reply_flags_the_card_and_the_row_until_someone_acts(world: SlackWorld) -> None:
    card = next(r for r in post_digest(world) if r.invoice_numbers == "A-1")
    settings = world.runtime.settings
    now = world.runtime.now()
    for uid, text in ((1, "We never received the goods."), (2, "Also: the price is wrong.")):
        mail = signed(reply(text=text, in_reply_to=message_id(card.id, settings)))
        assert inbox.record(world.engine, "INBOX", 7, uid, mail, now, trusting(settings))
    cards = CardPublisher(world.runtime.drafter, make_client(settings))
    before = len(world.fake.calls_to("chat.update"))
    assert post_inbound(world.runtime, make_client(settings), "CDIGEST", now, cards) == 2

    updated = world.fake.wait_for(lambda: world.fake.calls_to("chat.update")[before:])[-1]
    assert updated.args["ts"] == card.slack_ts
    assert "💬 2 replies waiting" in json.dumps(updated.args["blocks"], ensure_ascii=False)
    row = _row_of(_nobodys_page(world), "Atelier Lef")
    assert "💬 2 replies waiting" in row and "days late" in row, row  # beside the row's facts
    assert "replies waiting" not in _row_of(_nobodys_page(world), "Brasserie")

    before = len(world.fake.calls_to("chat.update"))
    world.slack.click(RESUME, "A", user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: any("resume with the next" in t for t in ephemerals(world)))
    refreshed = world.fake.wait_for(lambda: world.fake.calls_to("chat.update")[before:])[-1]
    assert "replies waiting" not in json.dumps(refreshed.args["blocks"], ensure_ascii=False)
    assert "replies waiting" not in _row_of(_nobodys_page(world), "Atelier Lef")
