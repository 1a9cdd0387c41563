"""Hostile customer text through every Slack surface: no mention, no disguised link, no
markup and no template evaluation survives into any Web API call the app makes."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.db import unit_of_work
from bot.importing.mapping import load_mapping
from bot.models import Customer, Reminder
from bot.services.ledger.importing import import_invoices
from bot.slack.blocks.card import APPROVE, EDIT, SKIP
from bot.slack.blocks.page_news import PAGE_ACCOUNT, PAGE_HANDLE
from bot.slack.mrkdwn import escape
from tests.support.csvfiles import line, write_csv
from tests.support.page_world import PageWorld
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_http import home_opened_event
from tests.support.slack_steps import ask

NAME = '<https://evil.example|Pay here> <!channel> & {{ 7*7 }} "><script>'
CONTACT = "<!here> Bob & {{ 7*7 }}"
INVOICE = 'INV-<!here>&"><script>{{7*7}}'
REASON = "<https://evil.example|refund here> <!channel> & {{ 7*7 }}"

# Keys whose values are not shown as mrkdwn: ids, URLs, and the raw text an input is
# prefilled with so that it can be edited as it is.
NOT_SHOWN = {"initial_value", "private_metadata", "value", "url", "path", "response_url", "ts"}
RAW = ("<!channel>", "<!here>", "<https://evil.example", "<script>", '">', "|Pay here>")
BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")


def shown_strings(value: Any, key: str = "") -> list[str]:
    if key in NOT_SHOWN:
        return []
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in shown_strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in shown_strings(v, key)]
    return [value] if isinstance(value, str) else []


def hostile_ledger(world: SlackWorld, tmp_path: Path) -> None:
    today = world.runtime.company_today(world.runtime.now())
    row = line(
        customer_id="H",
        customer_name=NAME,
        contact_name=CONTACT,
        language="en",
        country="GB",
        timezone="Europe/London",
        currency="GBP",
        invoice_number=INVOICE,
        due_date=(today - timedelta(days=30)).isoformat(),
        issue_date=(today - timedelta(days=60)).isoformat(),
    )
    import_invoices(world.engine, write_csv(tmp_path / "hostile.csv", [row]), load_mapping())


def hostile_reminder(world: SlackWorld) -> Reminder:
    def posted() -> Reminder | None:
        with unit_of_work(world.engine) as session:
            customer = session.exec(select(Customer).where(Customer.external_id == "H")).one()
            found = session.exec(
                select(Reminder).where(Reminder.customer_id == customer.id)
            ).first()
        return found if found is not None and found.slack_ts else None

    return world.fake.wait_for(posted)


def test_hostile_text_never_reaches_slack_raw(world: SlackWorld, tmp_path: Path) -> None:
    hostile_ledger(world, tmp_path)
    world.slack.command(
        "digest", user=APPROVER, channel="CDIGEST", response_url=world.fake.response_url()
    )
    reminder = hostile_reminder(world)
    due = (world.runtime.company_today(world.runtime.now()) + timedelta(days=5)).isoformat()
    quoted = f"'{INVOICE}'"
    for text in (
        "customer H",
        "audit H",
        f"audit {quoted}",
        f"promise {quoted} {due} 10.00",
        f"dispute {quoted} '{REASON}'",
        f"resolve {quoted} '{REASON}'",
        "pause H",
        "resume H",
        "plan H 3",
        "plan H 99",
    ):
        ask(world, text)
    world.slack.command("log-call H", user=APPROVER, response_url=world.fake.response_url())
    for action in (EDIT, SKIP, APPROVE):
        world.slack.click(
            action,
            str(reminder.id),
            user=APPROVER,
            response_url=world.fake.response_url(),
            message_ts=reminder.slack_ts,
        )
    world.fake.wait_for(lambda: len(world.fake.calls_to("views.open")) >= 3)
    world.fake.wait_for(lambda: world.fake.calls_to("chat.update"))
    world.slack.post(home_opened_event(APPROVER), content_type="application/json")
    world.fake.wait_for(lambda: world.fake.calls_to("views.publish"))

    methods = {c.method for c in world.fake.calls}
    assert {"chat.postMessage", "response_url", "views.open", "chat.update"} <= methods
    problems = []
    for call in world.fake.calls:
        for text in shown_strings(call.args):
            raw = [r for r in RAW if r in text]
            if raw or BARE_AMPERSAND.search(text):
                problems.append((call.method, raw, text[:300]))
    assert problems == [], "\n".join(map(repr, problems))
    shown = json.dumps([c.args for c in world.fake.calls], ensure_ascii=False)
    assert "{{ 7*7 }}" in shown  # shown as written, never evaluated


PAGE_NAME = "<!channel> <@U123> & <https://evil.example|click>"
PAGE_RAW = ("<!channel>", "<@U123>", "<https://evil.example", "|click>")


def test_a_hostile_name_is_escaped_in_every_call_of_a_morning_the_page_and_commands(
    page_world: PageWorld,
) -> None:
    """Every `text` and every block of every recorded call, after the morning's digest, each
    of the page's answers, the buttons of its news and the commands that name the customer."""
    with unit_of_work(page_world.engine) as session:
        session.get(Customer, page_world.customers["A"]).name = PAGE_NAME
    world, url = page_world, page_world.link("A")
    world.slack.command(
        "digest", user=APPROVER, channel="CDIGEST", response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: world.news())
    due = (world.today + timedelta(days=10)).isoformat()
    for action, form in (
        ("promise", {"invoice": "F-101", "date": due, "amount": "600"}),
        ("dispute", {"invoice": "F-103", "reason": "other", "text": PAGE_NAME}),
        ("paid", {"paid_on": world.today.isoformat(), "amount": "10", "reference": PAGE_NAME}),
        ("plan", {"instalments": "3", "step": "send"}),
        ("contact", {"contact_name": PAGE_NAME, "email": "a@b.example", "phone": ""}),
    ):
        assert world.post(url, action, form).status == 303

    def page_news() -> list[dict]:
        return [n for n in world.news() if "on their page" in n["text"]]

    news = world.fake.wait_for(lambda: len(page_news()) >= 5 and page_news())
    buttons = [
        (e["action_id"], e["value"])
        for n in news
        for b in n.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] in (PAGE_HANDLE, PAGE_ACCOUNT)
    ]
    before = len(world.fake.calls_to("response_url"))
    for action_id, value in buttons:
        world.slack.click(
            action_id, value, user=APPROVER, response_url=world.fake.response_url(), channel="C1"
        )
    world.fake.wait_for(lambda: len(world.fake.calls_to("response_url")) >= before + 5)
    for text in ("customer A", "audit A", "pause A", "resume A"):
        ask(world, text)  # a PageWorld talks to Slack as a SlackWorld does

    assert any(escape(PAGE_NAME) in str(c.args) for c in world.fake.calls)
    problems = []
    for call in world.fake.calls:
        for text in shown_strings(call.args):
            raw = [r for r in PAGE_RAW if r in text]
            if raw or BARE_AMPERSAND.search(text):
                problems.append((call.method, raw, text[:300]))
    assert problems == [], "\n".join(map(repr, problems))
