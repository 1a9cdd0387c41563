"""A bank statement on the fake Slack: one summary in the digest channel, a card for the line a
person decides in its thread, *Apply to …* clicked twice at once → one application; the
customer's suggestion expires and another customer's queued e-mail is cancelled, with why."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from sqlmodel import select

from bot.db import read_only, unit_of_work
from bot.models import BankLine, BankStatement, CashApplication, Customer, Outbox, Reminder
from bot.services import cash
from bot.services.reminders import decisions
from bot.slack.cash_poster import post_bank_import
from bot.slack.client import make_client
from bot.slack.ids import CASH_APPLY, CASH_NOT_PAYMENT
from tests.support.bank_files import Entry, camt053
from tests.support.blockkit import check_home
from tests.support.kept_text import said
from tests.support.slack_fixtures import APPROVER, OTHER_APPROVER, SlackWorld
from tests.support.slack_steps import ephemerals, post_digest
from tests.support.worklists import home_action, open_home


def _reminder_of(world: SlackWorld, customer: str) -> Reminder:
    with read_only(world.engine) as session:
        key = session.exec(select(Customer.id).where(Customer.external_id == customer)).one()
        return session.exec(select(Reminder).where(Reminder.customer_id == key)).one()


def test_a_statement_summary_a_card_and_one_application_for_two_clicks(
    world: SlackWorld, tmp_path: Path
) -> None:
    post_digest(world)
    queued = _reminder_of(world, "C")  # approved: its e-mail waits in the outbox
    assert decisions.approve(world.runtime.drafter(), queued.id, APPROVER).won
    suggested = _reminder_of(world, "A")
    assert suggested.state == "suggested"

    statement = tmp_path / "statement.xml"
    statement.write_bytes(
        camt053(
            [
                Entry("1234.56", "S1", name="ATELIER LEFEVRE"),  # a name: a person decides
                Entry("1234.56", "S2", text="Facture C-1"),  # a reference: applied
            ]
        )
    )
    runtime = world.runtime
    report = cash.import_bank_file(
        world.engine,
        statement,
        policy=runtime.policy.cash,
        composer=runtime.composer,
        policies=runtime.governing(),
        run_date=world.runtime.company_today(runtime.now()),
    )
    post_bank_import(
        make_client(runtime.settings), runtime, "CDIGEST", report, runtime.settings.locale
    )

    posts = world.fake.calls_to("chat.postMessage")
    summary = next(c for c in posts if "Bank statement" in c.args.get("text", ""))
    assert summary.args["channel"] == "CDIGEST"
    assert "applied 1 for €1,234.56, 1 to decide" in summary.args["text"]
    (card,) = [c for c in posts if c.args.get("thread_ts") == summary.response["ts"]]
    with read_only(world.engine) as session:
        stored = session.get(BankStatement, report.statement_id)
    assert stored is not None and stored.slack_ts == summary.response["ts"]
    buttons = [e for b in card.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == ["cash_apply", "cash_choose", "cash_not_payment"]
    assert buttons[0]["text"]["text"] == "Apply to A-1"
    line_id = buttons[0]["value"]

    with read_only(world.engine) as session:  # the reference paid C-1 at once
        stopped = session.get(Reminder, queued.id)
        outbox = session.exec(select(Outbox).where(Outbox.reminder_id == queued.id)).one()
    assert stopped is not None and stopped.state == "cancelled"
    assert outbox.state == "cancelled"
    assert said(stopped.skip_reason) == "since its approval, C-1 paid by bank transfer"

    barrier = threading.Barrier(2)

    def click(user: str) -> int:
        barrier.wait()
        return world.slack.click(
            CASH_APPLY,
            line_id,
            user=user,
            response_url=world.fake.response_url(user),
            message_ts=card.response["ts"],
        ).status

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(click, [APPROVER, OTHER_APPROVER])) == [200, 200]
    told = world.fake.wait_for(lambda: ephemerals(world))
    with read_only(world.engine) as session:
        line = session.get(BankLine, int(line_id))
        applications = session.exec(
            select(CashApplication).where(CashApplication.line_id == int(line_id))
        ).all()
        expired = session.get(Reminder, suggested.id)
    assert line is not None and line.state == "applied"
    assert len(applications) == 1
    assert told == [f"This payment was already applied by <@{line.decided_by}>."]
    assert expired is not None and expired.state == "expired"
    assert said(expired.skip_reason) == (
        f"no longer holds: A-1 paid by bank transfer, applied by {line.decided_by}"
    )
    updated = world.fake.wait_for(
        lambda: [
            c for c in world.fake.calls_to("chat.update") if c.args["ts"] == card.response["ts"]
        ]
    )
    last = updated[-1].args["blocks"]
    assert not [b for b in last if b["type"] == "actions"]  # decided: nothing left to click
    assert f"Applied by <@{line.decided_by}>" in str(last)

    # a late click on the same card changes nothing
    world.slack.click(
        CASH_NOT_PAYMENT, line_id, user=APPROVER, response_url=world.fake.response_url("late")
    )
    late = world.fake.wait_for(lambda: ephemerals(world)[1:])
    assert late == [f"This payment was already applied by <@{line.decided_by}>."]
    with read_only(world.engine) as session:
        assert session.get(BankLine, int(line_id)).state == "applied"  # type: ignore[union-attr]


def test_someone_who_may_not_decide_is_refused(world: SlackWorld, tmp_path: Path) -> None:
    statement = tmp_path / "statement.xml"
    statement.write_bytes(camt053([Entry("99.00", "Z1", name="Nobody")]))
    runtime = world.runtime
    report = cash.import_bank_file(
        world.engine,
        statement,
        policy=runtime.policy.cash,
        composer=runtime.composer,
        policies=runtime.governing(),
        run_date=runtime.company_today(runtime.now()),
    )
    (line_id,) = report.to_decide
    world.slack.click(
        CASH_APPLY, str(line_id), user="USTRANGER", response_url=world.fake.response_url()
    )
    told = world.fake.wait_for(lambda: ephemerals(world))
    assert "not among the people who may apply bank payments" in told[0]
    with read_only(world.engine) as session:
        assert session.get(BankLine, line_id).state == "to_decide"  # type: ignore[union-attr]


def test_choose_invoices_opens_a_form_and_applies_what_was_chosen(
    world: SlackWorld, tmp_path: Path
) -> None:
    from bot.slack.ids import CASH_CHOOSE, CASH_CHOOSE_CALLBACK
    from tests.support.blockkit import check_modal

    statement = tmp_path / "statement.xml"
    # 1,300.00 from Atelier Lefèvre: A-1 (1,234.56) and 65.44 over
    statement.write_bytes(camt053([Entry("1300.00", "CH1", name="Atelier Lefevre")]))
    runtime = world.runtime
    report = cash.import_bank_file(
        world.engine,
        statement,
        policy=runtime.policy.cash,
        composer=runtime.composer,
        policies=runtime.governing(),
        run_date=runtime.company_today(runtime.now()),
    )
    (line_id,) = report.to_decide
    world.slack.click(
        CASH_CHOOSE, str(line_id), user=APPROVER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: world.fake.calls_to("views.update"))
    form = world.fake.calls_to("views.update")[-1].args["view"]
    check_modal(form)
    choices = next(b for b in form["blocks"] if b.get("block_id") == "invoices")
    assert [o["value"] for o in choices["element"]["options"]] == ["A-1"]
    values = {
        "invoices": {
            "value": {"type": "multi_static_select", "selected_options": [{"value": "A-1"}]}
        }
    }
    reply = world.slack.submit(CASH_CHOOSE_CALLBACK, str(line_id), values, user=APPROVER)
    assert reply.status == 200
    line = world.fake.wait_for(
        lambda: (view := cash.line_view(world.engine, line_id)).state == "applied" and view
    )
    assert line.decided_by == APPROVER
    assert line.unapplied == Decimal("65.44")  # kept as credit


def test_the_owners_home_shows_the_payments_waiting_and_decides_them(
    world: SlackWorld, tmp_path: Path
) -> None:
    """Four payments from Atelier Lefèvre's account wait for a person: its owner's Home shows
    the first three as cards (Slack's Home limits checked by the strict fake) and says one
    more waits; another approver's Home shows none. *Not a customer payment* clicked on the
    Home decides the line and draws the Home again."""
    with unit_of_work(world.engine) as session:
        customer = session.exec(select(Customer).where(Customer.external_id == "A")).one()
        customer.owner = APPROVER
    statement = tmp_path / "statement.xml"
    amounts = ["10.00", "20.00", "30.00", "1234.56"]
    statement.write_bytes(
        camt053([Entry(a, f"H{n}", name="ATELIER LEFEVRE") for n, a in enumerate(amounts)])
    )
    runtime = world.runtime
    cash.import_bank_file(
        world.engine,
        statement,
        policy=runtime.policy.cash,
        composer=runtime.composer,
        policies=runtime.governing(),
        run_date=runtime.company_today(runtime.now()),
    )
    view = open_home(world, APPROVER)["view"]
    check_home(view)
    texts = [b.get("text", {}).get("text", "") for b in view["blocks"]]
    assert "*Bank payments waiting for you* (4)" in texts
    cards = [b for b in view["blocks"] if b.get("block_id", "").startswith("bank_line_")]
    assert len(cards) == 3
    assert any("1 more in the statements' threads" in str(b) for b in view["blocks"])
    assert "Bank payments waiting" not in str(open_home(world, OTHER_APPROVER)["view"])

    line_id = cards[0]["elements"][-1]["value"]
    assert cards[0]["elements"][-1]["action_id"] == CASH_NOT_PAYMENT
    before = len(world.fake.calls_to("views.publish"))
    click = {"type": "button", "action_id": CASH_NOT_PAYMENT, "value": line_id}
    assert world.slack.post(home_action(click, user=APPROVER, view=view)).status == 200
    again = world.fake.wait_for(lambda: world.fake.calls_to("views.publish")[before:])
    assert again[0].args["user_id"] == APPROVER
    check_home(again[0].args["view"])
    assert "*Bank payments waiting for you* (3)" in str(again[0].args["view"])
    with read_only(world.engine) as session:
        line = session.get(BankLine, int(line_id))
    assert line is not None and (line.state, line.decided_by) == ("not_payment", APPROVER)
