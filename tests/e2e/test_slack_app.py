"""The Slack app end to end: signed HTTP requests in, recorded Web API calls out, the database
checked after each step. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.db import unit_of_work
from bot.domain.calendar import local_today
from bot.domain.worklist import stage_titles
from bot.models import AuditEvent, Customer, Outbox
from bot.slack.blocks.card import APPROVE, EDIT, SKIP
from bot.slack.blocks.modals import EDIT_CALLBACK, SKIP_CALLBACK
from bot.slack.ids import APPROVE_ALL
from tests.support.blockkit import check_message, check_modal
from tests.support.segments import key_accounts
from tests.support.slack_fixtures import (
    APPROVER,
    GROUP_MEMBER,
    OTHER_APPROVER,
    STRANGER,
    SlackWorld,
)
from tests.support.slack_steps import ephemerals, post_digest, reminder


def test_bad_or_stale_signatures_are_refused(world: SlackWorld) -> None:
    forged = world.slack.post("command=/relance&text=digest&user_id=U1", signature="v0=" + "0" * 64)
    assert forged.status == 401
    import time

    stale = world.slack.post(
        "command=/relance&text=digest&user_id=U1", timestamp=int(time.time()) - 10 * 60
    )
    assert stale.status == 401
    assert world.fake.calls == []


def test_help_is_answered_to_anyone(world: SlackWorld) -> None:
    reply = world.slack.command("help", user=STRANGER, response_url=world.fake.response_url())
    assert reply.status == 200
    text = world.fake.wait_for(lambda: ephemerals(world))[0]
    assert "/relance digest" in text


def test_digest_posts_a_summary_and_one_card_per_reminder(world: SlackWorld) -> None:
    reminders = post_digest(world)
    posts = world.fake.calls_to("chat.postMessage")
    summary, cards = posts[0], posts[1:]
    assert summary.args["channel"] == "CDIGEST" and "thread_ts" not in summary.args
    check_message(summary.args["blocks"])
    assert "Overdue digest" in json.dumps(summary.args["blocks"], ensure_ascii=False)
    assert len(cards) == len(reminders) == 3
    for card in cards:
        assert card.args["thread_ts"] == summary.response["ts"]
        check_message(card.args["blocks"])
    everything = json.dumps([c.args for c in posts], ensure_ascii=False)
    assert "<!channel>" not in everything and "&lt;!channel&gt; &amp; Co" in everything


def test_approve_once_then_others_are_told_who(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    reply = world.slack.click(
        APPROVE, str(first.id), user=APPROVER, response_url=world.fake.response_url()
    )
    assert reply.status == 200
    world.fake.wait_for(lambda: world.fake.calls_to("chat.update"))
    update = world.fake.calls_to("chat.update")[0].args
    check_message(update["blocks"])
    assert f"Approved by <@{APPROVER}>" in json.dumps(update["blocks"])
    assert update["ts"] == first.slack_ts

    world.slack.click(
        APPROVE, str(first.id), user=OTHER_APPROVER, response_url=world.fake.response_url()
    )
    text = world.fake.wait_for(lambda: ephemerals(world))[0]
    assert text == f"This reminder was already approved by <@{APPROVER}>."
    with unit_of_work(world.engine) as session:
        outbox = session.exec(select(Outbox)).all()
        approvals = session.exec(select(AuditEvent).where(AuditEvent.kind == "approved")).all()
    assert [o.reminder_id for o in outbox] == [first.id]
    assert [a.actor for a in approvals] == [APPROVER]


def test_a_group_member_may_decide_a_stranger_may_not(world: SlackWorld) -> None:
    first, second = post_digest(world)[:2]
    world.slack.click(APPROVE, str(first.id), user=STRANGER, response_url=world.fake.response_url())
    refusal = world.fake.wait_for(lambda: ephemerals(world))[0]
    assert refusal.startswith("Sorry, you are not among the people who may approve")
    assert reminder(world, first.id).state == "suggested"
    with unit_of_work(world.engine) as session:
        refused = session.exec(select(AuditEvent).where(AuditEvent.kind == "refused")).one()
    assert refused.actor == STRANGER

    world.slack.click(
        APPROVE, str(second.id), user=GROUP_MEMBER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: reminder(world, second.id).state == "approved")
    assert reminder(world, second.id).decided_by == GROUP_MEMBER


def test_slack_retries_never_repeat_a_side_effect(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    for retry in ("", "1", "2"):
        headers = (
            {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        )
        assert (
            world.slack.click(
                APPROVE,
                str(first.id),
                user=APPROVER,
                headers=headers,
                response_url=world.fake.response_url(),
            ).status
            == 200
        )
    # the card is updated at once, then once more (updates of one card are coalesced)
    world.fake.wait_for(lambda: len(world.fake.calls_to("chat.update")) >= 2)
    with unit_of_work(world.engine) as session:
        assert len(session.exec(select(Outbox)).all()) == 1
        assert len(session.exec(select(AuditEvent).where(AuditEvent.kind == "approved")).all()) == 1
    assert ephemerals(world) == []


def test_edit_opens_a_prefilled_modal_and_saves_a_new_version(world: SlackWorld) -> None:
    first = next(r for r in post_digest(world) if r.invoice_numbers == "A-1")
    world.slack.click(EDIT, str(first.id), user=APPROVER, response_url=world.fake.response_url())
    update = world.fake.wait_for(lambda: world.fake.calls_to("views.update"))[0].args
    opened = world.fake.calls_to("views.open")[0].args
    check_modal(opened["view"])
    check_modal(update["view"])
    inputs = {b["block_id"]: b["element"] for b in update["view"]["blocks"] if "element" in b}
    assert inputs["subject"]["initial_value"] == first.subject
    assert inputs["body"]["initial_value"] == first.body_text.rstrip("\n")

    values = {
        "subject": {"value": {"type": "plain_text_input", "value": "Quick question"}},
        "body": {
            "value": {
                "type": "plain_text_input",
                "value": "Hello {{ contact_name }},\n\nCould you check "
                "{{ total }}?\n\n<b>Thanks</b>",
            }
        },
        "approve": {"value": {"type": "checkboxes", "selected_options": [{"value": "approve"}]}},
    }
    reply = world.slack.submit(EDIT_CALLBACK, str(first.id), values, user=APPROVER)
    assert reply.status == 200 and reply.body == ""
    world.fake.wait_for(lambda: reminder(world, first.id).state == "approved")
    saved = reminder(world, first.id)
    assert saved.subject == "Quick question"
    assert saved.body_text == (
        "Hello {{ contact_name }},\n\nCould you check {{ total }}?\n\n<b>Thanks</b>\n"
    )  # sent as written: nothing in staff text is a placeholder
    assert "&lt;b&gt;Thanks&lt;/b&gt;" in saved.body_html
    assert saved.original_subject == first.subject
    assert saved.original_body_text == first.body_text
    with unit_of_work(world.engine) as session:
        edited = session.exec(select(AuditEvent).where(AuditEvent.kind == "edited")).one()
    content = json.loads(edited.content)
    assert content["before"]["subject"] == first.subject
    assert content["after"]["subject"] == "Quick question"
    assert content["approved"] is True


def test_an_edit_saved_without_approving_waits_for_a_decision(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    values = {
        "subject": {"value": {"type": "plain_text_input", "value": "Hi"}},
        "body": {"value": {"type": "plain_text_input", "value": "Part one"}},
        "body_2": {"value": {"type": "plain_text_input", "value": "Part two {% raw %}"}},
        "approve": {"value": {"type": "checkboxes", "selected_options": []}},
    }
    reply = world.slack.submit(EDIT_CALLBACK, str(first.id), values, user=APPROVER)
    assert reply.status == 200 and reply.body == ""
    world.fake.wait_for(lambda: reminder(world, first.id).body_text.startswith("Part one"))
    saved = reminder(world, first.id)
    assert saved.state == "suggested" and saved.body_text == "Part one\n\nPart two {% raw %}\n"
    with unit_of_work(world.engine) as session:
        assert session.exec(select(Outbox)).all() == []


def test_an_edit_too_large_is_sent_back_to_its_field(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    values = {
        "subject": {"value": {"type": "plain_text_input", "value": "Hi"}},
        **{
            block: {"value": {"type": "plain_text_input", "value": "x" * 3000}}
            for block in ["body", *(f"body_{n}" for n in range(2, 9))]
        },
    }
    reply = world.slack.submit(EDIT_CALLBACK, str(first.id), values, user=APPROVER)
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors" and "20,000" in answer["errors"]["body"]
    assert reminder(world, first.id).state == "suggested"


def test_skip_asks_why_and_records_it(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    world.slack.click(SKIP, str(first.id), user=APPROVER, response_url=world.fake.response_url())
    modal = world.fake.wait_for(lambda: world.fake.calls_to("views.update"))[0].args["view"]
    check_modal(modal)
    assert modal["callback_id"] == SKIP_CALLBACK
    values = {
        "reason": {"value": {"type": "static_select", "selected_option": {"value": "contacted"}}},
        "note": {"value": {"type": "plain_text_input", "value": "Called <@U9> today"}},
    }
    assert world.slack.submit(SKIP_CALLBACK, str(first.id), values, user=APPROVER).status == 200
    world.fake.wait_for(lambda: reminder(world, first.id).state == "skipped")
    assert reminder(world, first.id).skip_reason == (
        "Already in touch with the customer: Called <@U9> today"
    )
    update = world.fake.wait_for(lambda: world.fake.calls_to("chat.update"))[0].args
    assert "Called &lt;@U9&gt; today" in json.dumps(update["blocks"])
    with unit_of_work(world.engine) as session:
        assert session.exec(select(Outbox)).all() == []


def test_a_customer_in_a_segment_who_says_it_paid_is_held_for_its_segments_days(
    world: SlackWorld,
) -> None:
    key_accounts(world.runtime, "FR", limits={"said_paid_hold_days": 14})
    reminders = {r.customer_id: r for r in post_digest(world)}
    with unit_of_work(world.engine) as session:
        customers = {c.external_id: c.id for c in session.exec(select(Customer)).all()}
    paid = {
        "reason": {"value": {"type": "static_select", "selected_option": {"value": "paid"}}},
        "note": {"value": {"type": "plain_text_input", "value": ""}},
    }

    def says_paid(external_id: str) -> None:
        skipped = reminders[customers[external_id]].id
        assert world.slack.submit(SKIP_CALLBACK, str(skipped), paid, user=APPROVER).status == 200
        world.fake.wait_for(lambda: reminder(world, skipped).state == "skipped")

    says_paid("A")  # Atelier, in France: a key account
    says_paid("C")  # Brasserie, in Belgium: the main policy
    with unit_of_work(world.engine) as session:
        held = {c.external_id: c.held_until for c in session.exec(select(Customer)).all()}
    today = local_today(datetime.now(UTC), "Europe/Paris")
    assert held["A"] in {today + timedelta(days=14), today + timedelta(days=13)}  # at midnight
    assert held["C"] in {today + timedelta(days=7), today + timedelta(days=6)}


def test_approve_all_for_a_stage(world: SlackWorld) -> None:
    reminders = post_digest(world)
    stage = reminders[0].stage
    same_stage = [r for r in reminders if r.stage == stage]
    reply = world.slack.click(
        APPROVE_ALL,
        f"{reminders[0].run_date.isoformat()}|{stage}",
        user=APPROVER,
        response_url=world.fake.response_url(),
    )
    assert reply.status == 200
    text = world.fake.wait_for(lambda: ephemerals(world))[0]
    title = stage_titles(*world.runtime.policies())[stage]
    assert text == f"Approved {len(same_stage)} reminders of the “{title}” stage."  # not the key
    assert {reminder(world, r.id).state for r in same_stage} == {"approved"}
    assert len(world.fake.calls_to("chat.update")) == len(same_stage)


def test_a_rate_limited_update_is_retried_after_retry_after(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    world.fake.fail_next("chat.update", status=429, headers={"Retry-After": "1"})
    world.slack.click(APPROVE, str(first.id), user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: len(world.fake.calls_to("chat.update")) == 2)
    assert reminder(world, first.id).state == "approved"


@pytest.mark.parametrize("text", ["frobnicate", "'unbalanced"])
def test_unknown_or_garbled_commands_are_explained(world: SlackWorld, text: str) -> None:
    world.slack.command(text, user=APPROVER, response_url=world.fake.response_url())
    answer = world.fake.wait_for(lambda: ephemerals(world))[0]
    assert "/relance help" in answer


def test_editing_a_final_notice_tells_the_editor_what_became_of_its_letter(
    world: SlackWorld,
) -> None:
    from bot.channels.letter import Letter
    from bot.models import Reminder

    first = post_digest(world)[0]
    letter = Letter(["Relance Demo SAS"], ["Client"], "26 novembre 2026", "Mise en demeure", "Old")
    with unit_of_work(world.engine) as session:
        row = session.get(Reminder, first.id)
        row.letter_text = letter.to_json()
        session.add(row)
    world.slack.click(EDIT, str(first.id), user=APPROVER, response_url=world.fake.response_url())
    modal = world.fake.wait_for(lambda: world.fake.calls_to("views.update"))[0].args["view"]
    check_modal(modal)
    assert any(b.get("block_id") == "letter" for b in modal["blocks"])
    values = {
        "subject": {"value": {"type": "plain_text_input", "value": "Mise en demeure"}},
        "body": {"value": {"type": "plain_text_input", "value": "Madame,\n\nnouveau texte."}},
        "approve": {"value": {"type": "checkboxes", "selected_options": [{"value": "approve"}]}},
        "letter": {"value": {"type": "radio_buttons", "selected_option": {"value": "rewrite"}}},
    }
    assert world.slack.submit(EDIT_CALLBACK, str(first.id), values, user=APPROVER).status == 200
    told = world.fake.wait_for(lambda: world.fake.calls_to("chat.postEphemeral"))[0].args
    assert told["user"] == APPROVER
    assert told["text"] == "The PDF letter was re-rendered from the edited text."
    stored = Letter.from_json(reminder(world, first.id).letter_text)
    assert stored.body == "Madame,\n\nnouveau texte."
