"""The legal part of a final notice, end to end: *Legal part* on its card and in its worklist
row's menu opens a modal with the statute cited, the rate and its source, each invoice's
interest and fixed compensation, and the total claimed — the very figures of the notice."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select

from bot.db import read_only
from bot.importing.mapping import load_mapping
from bot.models import Reminder, ReminderInvoice
from bot.services.ledger.importing import import_invoices
from bot.slack.blocks.worklist import HOME_ROW
from bot.slack.ids import LEGAL_PART
from tests.support.blockkit import check_modal
from tests.support.csvfiles import line, write_csv
from tests.support.slack_fixtures import APPROVER, STRANGER, SlackWorld
from tests.support.slack_steps import ephemerals
from tests.support.worklists import home_action


def _final_notice(world: SlackWorld, folder: Path) -> Reminder:
    """A customer 50 days late and never contacted starts at the final notice (the policy's
    `first_contact_from_days`); the digest posts its card."""
    runtime = world.runtime
    today = runtime.company_today(runtime.now())
    late = line(
        customer_id="Z",
        customer_name="Zénith SARL",
        invoice_number="Z-1",
        amount="1000",
        due_date=(today - timedelta(days=50)).isoformat(),
        issue_date=(today - timedelta(days=80)).isoformat(),
    )
    import_invoices(world.engine, write_csv(folder / "z.csv", [late]), load_mapping())
    stages = tuple(
        replace(s, first_contact_from_days=45) if s.name == "final" else s
        for s in runtime.policy.stages
    )
    runtime.policy = runtime.base_policy = replace(runtime.policy, stages=stages)
    world.slack.command(
        "digest", user=APPROVER, channel="CDIGEST", response_url=world.fake.response_url()
    )

    def carded() -> Reminder | None:
        with read_only(world.engine) as session:
            found = session.exec(
                select(Reminder)
                .join(ReminderInvoice, col(ReminderInvoice.reminder_id) == col(Reminder.id))
                .where(ReminderInvoice.number == "Z-1")
            ).first()
        return found if found is not None and found.slack_ts else None

    return world.fake.wait_for(carded)


def _modal(world: SlackWorld, before: int) -> tuple[dict, str]:
    update = world.fake.wait_for(lambda: world.fake.calls_to("views.update")[before:])[0]
    view = update.args["view"]
    check_modal(view)
    return view, json.dumps(view["blocks"], ensure_ascii=False)


def test_the_legal_part_opens_in_a_modal_with_the_notices_figures(
    world: SlackWorld, tmp_path: Path
) -> None:
    notice = _final_notice(world, tmp_path)
    assert notice.stage == "final" and notice.letter_text
    card = json.dumps(world.fake.calls_to("chat.postMessage"), default=str)
    assert LEGAL_PART in card

    before = len(world.fake.calls_to("views.update"))
    world.slack.click(
        LEGAL_PART,
        str(notice.id),
        user=APPROVER,
        response_url=world.fake.response_url(),
        message_ts=notice.slack_ts,
    )
    view, shown = _modal(world, before)
    assert view["title"]["text"] == "Legal part"
    # the statute as the notice cites it, the rate's make-up and where it comes from
    assert "articles L441-10 et D441-5 du Code de commerce" in shown
    assert "*Source*: Code de commerce, art. L441-10" in shown and "plus 10 points" in shown
    body = notice.body_text
    interest = body.split("intérêts de retard de ")[1].split(" ;")[0]
    compensation = body.split("frais de recouvrement de ")[1].split("\n")[0]
    total = body.split("Total avec intérêts et indemnités : ")[1].split("\n")[0]
    assert "40" in compensation and "Z-1" in shown
    assert f"Interest *{interest}* · fixed compensation *{compensation}*" in shown, shown
    assert f"*Total claimed*: {total}" in shown

    # the same, from the worklist row's menu on the App Home
    row = {
        "type": "overflow",
        "action_id": HOME_ROW,
        "selected_option": {"value": f"legal|{notice.id}"},
    }
    before = len(world.fake.calls_to("views.update"))
    assert world.slack.post(home_action(row, user=APPROVER, view={"id": "VHOME"})).status == 200
    assert _modal(world, before)[1] == shown

    world.slack.click(
        LEGAL_PART,
        str(notice.id),
        user=STRANGER,
        response_url=world.fake.response_url(),
        message_ts=notice.slack_ts,
    )
    world.fake.wait_for(lambda: any("not among" in t for t in ephemerals(world)))
