"""A customer's reply, read from the real IMAP server, lands in the thread of their card on
the (fake) Slack API, escaped; the ladder holds until a person presses *Resume reminders*."""

from __future__ import annotations

from bot.channels.email import message_id
from bot.channels.imap import connect
from bot.config import Settings
from bot.db import read_only
from bot.models import Customer
from bot.services import inbox
from bot.services.suggestions import todays_decisions
from bot.slack.blocks.inbound import RESUME
from bot.slack.client import make_client
from bot.slack.inbox_poster import post_inbound
from tests.support.imap_server import ImapServer
from tests.support.mail_samples import reply
from tests.support.slack_fixtures import APPROVER, STRANGER, SlackWorld
from tests.support.slack_steps import ephemerals, post_digest


def _read(world: SlackWorld, imap: ImapServer) -> None:
    settings = Settings(
        mail_from=world.runtime.settings.mail_from,
        imap_host=imap.host,
        imap_port=imap.port,
        imap_security="none",
        imap_user=imap.user,
        imap_password=imap.password,
    )
    with connect(settings) as mailbox:
        inbox.fetch_mail(world.engine, mailbox, world.runtime.now())
    post_inbound(world.engine, make_client(world.runtime.settings), "CDIGEST", world.runtime.now())


def test_a_reply_goes_to_the_card_thread_and_holds_the_ladder(
    world: SlackWorld, imap: ImapServer
) -> None:
    card = next(r for r in post_digest(world) if r.invoice_numbers == "B-1")
    before = len(world.fake.calls_to("chat.postMessage"))
    imap.append(
        reply(
            subject="Re: <!channel> invoice",
            text="<@U1> we *never* received the goods.\n\nOn Monday you wrote:\n> old",
            in_reply_to=message_id(card.id, world.runtime.settings.mail_from),
        ).as_bytes()
    )
    _read(world, imap)
    (posted,) = world.fake.calls_to("chat.postMessage")[before:]
    assert (posted.args["channel"], posted.args["thread_ts"]) == (card.slack_channel, card.slack_ts)
    shown = str(posted.args["blocks"])
    assert "&lt;!channel&gt;" in shown and "&lt;@U1&gt;" in shown and "<!channel>" not in shown
    assert "On Monday" not in shown  # quoted history trimmed
    _read(world, imap)  # nothing posted twice
    assert len(world.fake.calls_to("chat.postMessage")) == before + 1

    def decision():  # type: ignore[no-untyped-def]
        with read_only(world.engine) as session:
            return next(
                d.decision
                for d in todays_decisions(session, world.runtime.policy, world.runtime.now())
                if d.customer.id == card.customer_id
            )

    assert decision().reason.value == "paused"
    with read_only(world.engine) as session:
        external_id = session.get(Customer, card.customer_id).external_id
    world.slack.click(RESUME, external_id, user=STRANGER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: any("not among" in t for t in ephemerals(world)))
    world.slack.click(RESUME, external_id, user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: any("resume with the next" in t for t in ephemerals(world)))
    with read_only(world.engine) as session:
        assert not session.get(Customer, card.customer_id).paused
