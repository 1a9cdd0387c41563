"""A billing-contact change from the page is a request (issue 25, finding 12): a forwarded
link must not redirect every future reminder. The address on record is told (a real SMTP
server records it), nothing goes to the new address, and a collector accepts it in Slack with
one click, exactly once, in the audit trail."""

from __future__ import annotations

import json
import threading

from bot.db import read_only
from bot.models import Customer
from bot.slack.blocks.page_news import PAGE_CONTACT_ACCEPT, PAGE_HANDLE
from tests.support.page_world import PageWorld
from tests.support.slack_fixtures import APPROVER, OTHER_APPROVER, STRANGER, reconfigure
from tests.support.smtp_server import SmtpServer

NEW = "someone-else@elsewhere.example"


def customer(world: PageWorld) -> Customer:
    with read_only(world.engine) as session:
        found = session.get(Customer, world.customers["A"])
        assert found is not None
        return found


def accept_button(world: PageWorld) -> str:
    (news,) = world.news()
    elements = [e for b in news["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert PAGE_HANDLE not in [e["action_id"] for e in elements]  # no "noted" without acting
    return next(e["value"] for e in elements if e["action_id"] == PAGE_CONTACT_ACCEPT)


def test_a_contact_change_waits_for_a_collector_and_tells_the_old_address(
    page_world: PageWorld, smtp: SmtpServer
) -> None:
    reconfigure(page_world.runtime, smtp_host="127.0.0.1", smtp_port=smtp.port)
    world, before = page_world, customer(page_world)
    form = {"contact_name": "Mallory", "email": NEW, "phone": "+33 6 00 00 00 00"}
    assert world.post(world.link("A"), "contact", form).status == 303

    after = customer(world)
    assert (after.email, after.contact_name, after.phone) == (
        before.email,
        before.contact_name,
        before.phone,
    )
    (notice,) = smtp.received
    assert notice.recipients == [before.email] and NEW not in notice.recipients
    assert notice.message["Subject"] == "Demande de changement du contact de facturation"
    value = accept_button(world)
    assert "asks to change their billing contact" in world.news()[0]["text"]

    # someone who may not decide is refused, and nothing changes
    world.slack.click(
        PAGE_CONTACT_ACCEPT, value, user=STRANGER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: world.events("refused"))
    assert customer(world).email == before.email

    # two collectors click at once: one applies it, the other is told who did
    replies = []

    def click(user: str) -> None:
        replies.append(
            world.slack.click(
                PAGE_CONTACT_ACCEPT,
                value,
                user=user,
                response_url=world.fake.response_url(),
                message_ts="1764150000.000900",
                channel="CDIGEST",
            ).status
        )

    threads = [threading.Thread(target=click, args=(u,)) for u in (APPROVER, OTHER_APPROVER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert replies == [200, 200]
    world.fake.wait_for(lambda: world.fake.calls_to("chat.update"))
    told = world.fake.wait_for(
        lambda: [
            c for c in world.fake.calls_to("response_url") if "already accepted" in str(c.args)
        ]
    )
    assert len(told) == 1
    (applied,) = world.events("page_contact")
    assert applied.actor in (APPROVER, OTHER_APPROVER)
    assert json.loads(applied.content)["before_email"] == before.email
    assert (customer(world).email, customer(world).contact_name) == (NEW, "Mallory")
    assert [r.recipients for r in smtp.received] == [[before.email]]  # the page sent nothing new


def test_repeated_requests_tell_the_old_address_once(
    page_world: PageWorld, smtp: SmtpServer
) -> None:
    """A link's holder cannot make the app write to the customer twenty times a minute."""
    reconfigure(page_world.runtime, smtp_host="127.0.0.1", smtp_port=smtp.port)
    url = page_world.link("A")
    for n in range(5):
        form = {"contact_name": "M", "email": f"m{n}@elsewhere.example", "phone": ""}
        assert page_world.post(url, "contact", form).status == 303
    assert len(smtp.received) == 1 and len(page_world.events("page_contact_asked")) == 5
