"""A customer's reply, read from the real IMAP server, lands in the thread of their card on
the (fake) Slack API, escaped; the ladder holds until a person presses *Resume reminders*."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from bot.channels.email import message_id
from bot.channels.imap import connect
from bot.config import Settings
from bot.db import read_only
from bot.models import AuditEvent, Customer, Dispute, InboundMessage, Promise
from bot.services.delivery.outbox import deliver_due
from bot.services.inbox import mailbox as inbox
from bot.services.reminders.suggestions import todays_decisions
from bot.slack.blocks.inbound import (
    ASSIGN,
    ASSIGN_CALLBACK,
    CONFIRM,
    COPIES,
    DISPUTE,
    DISPUTE_CALLBACK,
    PAID,
    PROMISE_CALLBACK,
    REPLY,
    REPLY_CALLBACK,
    RESUME,
)
from bot.slack.client import make_client
from bot.slack.inbox_poster import post_inbound
from tests.support.dkim_signer import signed, trusting
from tests.support.imap_server import ImapServer
from tests.support.mail_samples import hard_bounce, reply
from tests.support.slack_fixtures import APPROVER, OTHER_APPROVER, STRANGER, SlackWorld, reconfigure
from tests.support.slack_steps import ephemerals, post_digest
from tests.support.smtp_server import SmtpServer


def _read(world: SlackWorld, imap: ImapServer) -> None:
    settings = Settings(
        mail_from=world.runtime.settings.mail_from,
        mail_token_secret=world.runtime.settings.mail_token_secret,
        imap_host=imap.host,
        imap_port=imap.port,
        imap_security="none",
        imap_user=imap.user,
        imap_password=imap.password,
    )
    with connect(settings) as mailbox:
        inbox.fetch_mail(world.engine, mailbox, world.runtime.now(), trusting(settings))
    post_inbound(world.runtime, make_client(world.runtime.settings), "CDIGEST", world.runtime.now())


def test_a_reply_goes_to_the_card_thread_and_holds_the_ladder(
    world: SlackWorld, imap: ImapServer
) -> None:
    card = next(r for r in post_digest(world) if r.invoice_numbers == "B-1")
    before = len(world.fake.calls_to("chat.postMessage"))
    imap.append(
        signed(
            reply(
                subject="Re: <!channel> invoice",
                text="<@U1> we *never* received the goods.\n\nOn Monday you wrote:\n> old",
                in_reply_to=message_id(card.id, world.runtime.settings),
            )
        )
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


def test_reply_from_slack_reaches_the_customer_threaded_once(
    world: SlackWorld, imap: ImapServer, smtp: SmtpServer
) -> None:
    card = next(r for r in post_digest(world) if r.invoice_numbers == "A-1")
    customer_mail = reply(
        sender="Jean Lefèvre <jean@atelier.example>",
        text="Can we pay half now?",
        in_reply_to=message_id(card.id, world.runtime.settings),
    )
    imap.append(customer_mail.as_bytes())
    _read(world, imap)
    with read_only(world.engine) as session:
        inbound_id = session.exec(select(InboundMessage.id)).one()
    posted = world.fake.calls_to("chat.postMessage")[-1]
    assert f"'value': '{inbound_id}'" in str(posted.args["blocks"])  # the Reply button

    world.slack.click(REPLY, str(inbound_id), user=APPROVER, response_url=world.fake.response_url())
    opened = world.fake.wait_for(lambda: world.fake.calls_to("views.update"))
    assert "jean@atelier.example" in str(opened[-1].args["view"])

    values = {"text": {"value": {"type": "plain_text_input", "value": "Yes, half by Friday."}}}
    assert world.slack.submit(REPLY_CALLBACK, str(inbound_id), values, user=APPROVER).status == 200
    again = world.slack.submit(REPLY_CALLBACK, str(inbound_id), values, user=OTHER_APPROVER)
    assert "answered already" in again.json()["errors"]["text"]

    settings = replace(world.runtime.settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    deliver_due(world.engine, settings, "worker", now=world.runtime.now() + timedelta(minutes=1))
    deliver_due(world.engine, settings, "worker", now=world.runtime.now() + timedelta(minutes=2))
    (received,) = [m for m in smtp.received if m.message["In-Reply-To"]]
    assert received.message["In-Reply-To"] == customer_mail["Message-ID"]
    assert received.message["To"] == "jean@atelier.example"
    assert received.message["Subject"] == "Re: Your invoice"
    assert received.message["Auto-Submitted"] is None
    assert received.message.get_body(("plain",)).get_content().strip() == "Yes, half by Friday."
    with read_only(world.engine) as session:
        logged = session.exec(select(AuditEvent).where(AuditEvent.kind == "reply")).one()
    assert json.loads(logged.content)["text"] == "Yes, half by Friday."


def test_dispute_promise_and_paid_from_under_the_message(
    world: SlackWorld, imap: ImapServer
) -> None:
    card = next(r for r in post_digest(world) if r.invoice_numbers == "A-1")
    imap.append(
        reply(
            text="The second crate was broken; we pay the rest on the 15th.",
            in_reply_to=message_id(card.id, world.runtime.settings),
        ).as_bytes()
    )
    _read(world, imap)
    with read_only(world.engine) as session:
        inbound_id = str(session.exec(select(InboundMessage.id)).one())

    world.slack.click(DISPUTE, inbound_id, user=APPROVER, response_url=world.fake.response_url())
    modal = world.fake.wait_for(lambda: world.fake.calls_to("views.update"))[-1].args["view"]
    assert "A-1" in str(modal)
    picked = {"type": "multi_static_select", "selected_options": [{"value": "B-1"}]}
    values = {
        "invoices": {"value": picked},
        "reason": {"value": {"type": "plain_text_input", "value": "broken crate"}},
    }
    refused = world.slack.submit(DISPUTE_CALLBACK, inbound_id, values, user=APPROVER).json()
    assert "Not an open invoice" in refused["errors"]["reason"]  # another customer's invoice
    values["invoices"]["value"]["selected_options"] = [{"value": "A-1"}]
    assert world.slack.submit(DISPUTE_CALLBACK, inbound_id, values, user=APPROVER).status == 200

    promised = (world.runtime.now() + timedelta(days=19)).date().isoformat()
    values = {
        "date": {"value": {"type": "datepicker", "selected_date": promised}},
        "amount": {"value": {"type": "plain_text_input", "value": "100"}},
    }
    assert world.slack.submit(PROMISE_CALLBACK, inbound_id, values, user=APPROVER).status == 200

    world.slack.click(PAID, inbound_id, user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: any("says they paid" in t for t in ephemerals(world)))
    with read_only(world.engine) as session:
        (dispute,) = session.exec(select(Dispute)).all()
        (promise,) = session.exec(select(Promise)).all()
        kinds = set(session.exec(select(AuditEvent.kind)).all())
    assert dispute.reason == "broken crate" and dispute.opened_by == APPROVER
    assert promise.promised_date.isoformat() == promised and promise.amount_minor == 10000
    assert {"dispute", "promise", "reported_paid"} <= kinds


def test_an_unmatched_message_goes_to_the_digest_channel_and_a_person_assigns_it(
    world: SlackWorld, imap: ImapServer
) -> None:
    card = next(r for r in post_digest(world) if r.invoice_numbers == "B-1")
    before = len(world.fake.calls_to("chat.postMessage"))
    imap.append(reply(sender="bob@private.example", subject="Hello", text="Paid?").as_bytes())
    _read(world, imap)
    (unmatched,) = world.fake.calls_to("chat.postMessage")[before:]
    assert unmatched.args["channel"] == "CDIGEST" and not unmatched.args.get("thread_ts")
    with read_only(world.engine) as session:
        inbound_id = str(session.exec(select(InboundMessage.id)).one())
        external_id = session.get(Customer, card.customer_id).external_id
    assert f"'action_id': '{ASSIGN}'" in str(unmatched.args["blocks"])

    values = {"customer": {"value": {"type": "plain_text_input", "value": "no such firm"}}}
    refused = world.slack.submit(ASSIGN_CALLBACK, inbound_id, values, user=APPROVER).json()
    assert "No customer matches" in refused["errors"]["customer"]
    values = {"customer": {"value": {"type": "plain_text_input", "value": external_id}}}
    assert world.slack.submit(ASSIGN_CALLBACK, inbound_id, values, user=APPROVER).status == 200
    posted = world.fake.wait_for(
        lambda: [
            c
            for c in world.fake.calls_to("chat.postMessage")[before + 1 :]
            if c.args.get("thread_ts") == card.slack_ts
        ]
    )
    assert "assigned by a person" in str(posted[0].args["blocks"])
    with read_only(world.engine) as session:
        assert session.get(Customer, card.customer_id).paused  # a reply holds the ladder


def test_a_hard_bounce_shows_on_the_card_and_in_its_thread(
    world: SlackWorld, imap: ImapServer
) -> None:
    from bot.entry.tickers import read_mailbox
    from bot.slack.app import create_app

    card = next(r for r in post_digest(world) if r.invoice_numbers == "A-1")
    imap.append(hard_bounce("jean@atelier.example", message_id(card.id, world.runtime.settings)))
    reconfigure(
        world.runtime,
        imap_host=imap.host,
        imap_port=imap.port,
        imap_security="none",
        imap_user=imap.user,
        imap_password=imap.password,
    )
    _app, deps = create_app(world.runtime, make_client(world.runtime.settings))
    read_mailbox(deps)
    (updated,) = [c for c in world.fake.calls_to("chat.update") if c.args["ts"] == card.slack_ts]
    assert "E-mail failing: hard bounce" in str(updated.args["blocks"])
    in_thread = [
        c
        for c in world.fake.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == card.slack_ts
    ]
    assert "is failing: call instead" in str(in_thread[-1].args["blocks"])
    from bot.services.overview.digest import build_digest
    from bot.slack.blocks.digest import digest_blocks

    digest = build_digest(world.engine, world.runtime.company_today(world.runtime.now()), "CDIGEST")
    shown = str(digest_blocks(digest))  # the next digest names the failing address too
    assert "E-mail failing" in shown and "Atelier Lef" in shown and "hard bounce" in shown


def test_a_request_for_copies_gets_a_send_copies_button_that_answers_once(
    world: SlackWorld, imap: ImapServer, smtp: SmtpServer
) -> None:
    card = next(r for r in post_digest(world) if r.invoice_numbers == "A-1")
    imap.append(  # signed by the customer's domain: copies may go to its sender
        signed(
            reply(
                sender="Jean Lefèvre <jean@atelier.example>",
                text="Bonjour, pourriez-vous nous renvoyer la facture ?",
                in_reply_to=message_id(card.id, world.runtime.settings),
            )
        )
    )
    _read(world, imap)
    with read_only(world.engine) as session:
        row = session.exec(select(InboundMessage)).one()
    assert row.kind == "copy_request"
    posted = world.fake.calls_to("chat.postMessage")[-1]
    buttons = [e for b in posted.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in buttons][:2] == [COPIES, REPLY]
    assert "Asks for a copy" in str(posted.args["blocks"])

    world.slack.click(COPIES, str(row.id), user=STRANGER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: any("not among" in t for t in ephemerals(world)))
    for user in (APPROVER, OTHER_APPROVER):
        world.slack.click(COPIES, str(row.id), user=user, response_url=world.fake.response_url())
    refusals = ("answered already", "answered this message a moment ago")  # in turn, or at once
    world.fake.wait_for(lambda: any(r in t for t in ephemerals(world) for r in refusals))
    world.fake.wait_for(lambda: any("Copies for" in t and "A-1" in t for t in ephemerals(world)))

    settings = replace(world.runtime.settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    deliver_due(world.engine, settings, "worker", now=world.runtime.now() + timedelta(minutes=1))
    (sent,) = smtp.received
    assert sent.message["To"] == "jean@atelier.example"
    assert sent.message["In-Reply-To"] == row.message_id
    names = [p.get_filename() for p in sent.message.iter_attachments()]
    assert len(names) == 1 and names[0].startswith("releve-de-compte-")  # no PDFs on file
    with read_only(world.engine) as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.kind == "copies")).all()
    assert event.actor in (APPROVER, OTHER_APPROVER)


def test_a_stranger_s_claim_waits_for_a_person_s_confirm(
    world: SlackWorld, imap: ImapServer
) -> None:
    """A reply quoting the card's reminder but not authenticated as the customer's: posted in
    the card's thread with a Confirm button; nothing holds until an approver presses it, once."""
    card = next(r for r in post_digest(world) if r.invoice_numbers == "A-1")
    before = len(world.fake.calls_to("chat.postMessage"))
    forged = reply(
        text="Stop all reminders.", in_reply_to=message_id(card.id, world.runtime.settings)
    )
    imap.append(forged.as_bytes())
    _read(world, imap)
    (posted,) = world.fake.calls_to("chat.postMessage")[before:]
    assert posted.args["thread_ts"] == card.slack_ts
    assert f"'action_id': '{CONFIRM}'" in str(posted.args["blocks"])
    with read_only(world.engine) as session:
        inbound_id = str(session.exec(select(InboundMessage.id)).one())
        assert not session.get(Customer, card.customer_id).paused

    world.slack.click(CONFIRM, inbound_id, user=STRANGER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: any("not among" in t for t in ephemerals(world)))
    with read_only(world.engine) as session:
        assert not session.get(Customer, card.customer_id).paused
    updates = len(world.fake.calls_to("chat.update"))
    world.slack.click(CONFIRM, inbound_id, user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(  # the card is shown again: the customer now held
        lambda: [
            c for c in world.fake.calls_to("chat.update")[updates:] if c.args["ts"] == card.slack_ts
        ]
    )
    world.fake.wait_for(
        lambda: any("Confirmed: held until someone acts" in t for t in ephemerals(world))
    )
    world.slack.click(
        CONFIRM, inbound_id, user=OTHER_APPROVER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: any("confirmed already" in t for t in ephemerals(world)))
    with read_only(world.engine) as session:
        assert session.get(Customer, card.customer_id).paused
        confirmed = session.exec(select(AuditEvent).where(AuditEvent.kind == "inbound_confirmed"))
        assert [e.actor for e in confirmed] == [APPROVER]
