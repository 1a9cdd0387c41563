"""Every Slack surface Relance draws, sent to the strict fake Slack (which refuses what Slack
refuses, and fails the test if it had to): a digest with four stages awaiting a decision, a
Home of three pages turned page by page, every modal, and a customer's reply in a card's
thread. These were refused on the first morning of a new user before the fake was strict."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from bot.db import read_only
from bot.importing.mapping import load_mapping
from bot.models import Reminder
from bot.services.inbox.actions import OpenAccount
from bot.services.inbox.posting import InboundView
from bot.services.inbox.replies import ReplyDraft
from bot.services.inbox.threads import ConversationTarget
from bot.services.ledger.importing import import_invoices
from bot.services.operations.app_settings import current
from bot.services.overview.legal_part import legal_part
from bot.services.overview.reminder_view import load_view
from bot.slack.blocks.inbound import (
    assign_modal,
    dispute_modal,
    inbound_blocks,
    inbound_fallback,
    promise_modal,
    reply_modal,
)
from bot.slack.blocks.legal import legal_modal
from bot.slack.blocks.modals import edit_modal, log_call_modal, settings_modal, skip_modal
from bot.slack.blocks.worklist import HOME_PAGE
from bot.slack.client import make_client
from bot.slack.digest_poster import post_daily_digest
from bot.slack.ids import numbered
from tests.support.csvfiles import line, write_csv
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.worklists import home_action, many_customers, open_home

LATE = {"friendly": 5, "firm": 20, "call": 35, "final": 50}  # days late: policy.toml's stages


def test_digest_home_modals_and_a_reply_thread_pass_slacks_rules(
    world: SlackWorld, tmp_path: Path
) -> None:
    runtime = world.runtime
    today = runtime.company_today(runtime.now())
    rows = [
        line(
            customer_id=f"S-{stage}",
            customer_name=f"Étape {stage} & fils <b>",
            invoice_number=f"S-{stage}-1",
            amount="1234.56",
            due_date=(today - timedelta(days=days)).isoformat(),
            issue_date=(today - timedelta(days=days + 30)).isoformat(),
        )
        for stage, days in LATE.items()
    ]
    import_invoices(world.engine, write_csv(tmp_path / "stages.csv", rows), load_mapping())
    many_customers(world.engine, tmp_path, today, 303)  # 101 for each owner: three pages
    first_contact = {"firm": 15, "call": 30, "final": 45}  # never contacted: start further up
    stages = tuple(
        replace(s, first_contact_from_days=first_contact[s.name]) if s.name in first_contact else s
        for s in runtime.policy.stages
    )
    runtime.policy = runtime.base_policy = replace(runtime.policy, stages=stages)
    client = make_client(runtime.settings)
    assert post_daily_digest(runtime, client, runtime.now(), "one")

    with read_only(world.engine) as session:
        reminders = session.exec(select(Reminder)).all()
    stages = {r.stage for r in reminders}
    assert set(LATE) <= stages, stages  # four stages await a decision in one digest
    digest = world.fake.calls_to("chat.postMessage")[0]
    assert digest.response["ok"] and digest.args["blocks"]

    # the Home, three pages, each reached with its own button
    view = open_home(world, APPROVER)
    for page in (1, 2):
        before = len(world.fake.calls_to("views.publish"))
        action = {
            "type": "button",
            "action_id": numbered(HOME_PAGE, 2),
            "value": f"{APPROVER}|{page}",
        }
        assert world.slack.post(home_action(action, user=APPROVER, view=view)).status == 200
        view = world.fake.wait_for(lambda n=before: world.fake.calls_to("views.publish")[n:])[
            0
        ].args["view"]
        assert f"Page {page + 1} of 3" in str(view["blocks"])

    # every modal, with the day's own data at its longest
    drafter = runtime.drafter()
    final = next(r for r in reminders if r.stage == "final")
    shown = load_view(drafter, final.id)
    account = OpenAccount(final.id, "Étape final & fils <b>", tuple(f"S-{n}" for n in range(80)))
    part = legal_part(drafter, runtime.composer.laws, runtime.settings.country, final.id)
    modals = [
        edit_modal(shown),
        skip_modal(shown),
        log_call_modal(shown.customer_name, "S-final", final.id, None),
        settings_modal(current(runtime.settings, runtime.policy)),
        legal_modal(part),
        reply_modal(ReplyDraft(7, "Étape", "ap@example.com", "Re: " + "x" * 300)),
        dispute_modal(account),
        promise_modal(account),
        assign_modal(7),
    ]
    for n, modal in enumerate(modals):
        opened = client.views_open(trigger_id=f"t{n}", view=modal)
        assert opened["ok"], modal["callback_id"]

    # a customer's reply, in the thread of their card
    card = next(r for r in reminders if r.slack_ts)
    reply = InboundView(
        id=7,
        kind="reply",
        sender="ap@example.com",
        sender_name="Accounts payable",
        subject="Re: your reminder",
        text="We paid on Friday.\n" * 400,
        attachments=(("remittance.pdf", 48_000),),
        customer_id=1,
        customer_ref="S-final",
        customer_name="Étape final & fils <b>",
        matched_by="thread",
        consequence="the ladder waits for a person",
        reason="",
        target=ConversationTarget(card.slack_channel, card.slack_ts),
    )
    posted = client.chat_postMessage(
        channel=card.slack_channel,
        thread_ts=card.slack_ts,
        text=inbound_fallback(reply),
        blocks=inbound_blocks(reply),
    )
    assert posted["ok"]
