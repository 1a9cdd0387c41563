"""One customer's error never aborts the morning: the others get their suggestion, and the digest
is posted naming who got none and why."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import PROJECT_ROOT
from bot.db import read_only
from bot.entry.composition import build_runtime, next_business_morning
from bot.importing.mapping import load_mapping
from bot.models import Customer, Reminder
from bot.services.ledger.importing import import_invoices
from bot.slack.client import make_client
from bot.slack.digest_poster import post_daily_digest
from tests.support.csvfiles import line, write_csv
from tests.support.fake_slack import FakeSlack
from tests.support.slack_fixtures import slack_settings

#: one stage that charges statutory interest from the first day late
POLICY = """
[[stages]]
name = "final"
opens_at_days = 1
channel = "email"
late_payment_rights = true
"""


def test_a_morning_goes_on_past_an_old_invoice_and_a_missing_template(
    engine: Engine, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", templates)
    (tmp_path / "policy.toml").write_text(POLICY, encoding="utf-8")
    fake = FakeSlack()
    settings = slack_settings(fake, templates_dir=templates, policy_file=tmp_path / "policy.toml")
    morning = next_business_morning(date(2026, 11, 26), settings)
    today = morning.date()

    def due(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    rows = [
        line(customer_id="A", invoice_number="A-1", due_date=due(20), issue_date=due(50)),
        line(
            customer_id="B",
            customer_name="Thornton & Hale Ltd",
            language="en",
            country="GB",
            timezone="Europe/London",
            currency="GBP",
            invoice_number="B-1",
            due_date=due(40),
            issue_date=due(70),
        ),
        line(  # due in 2022: the ECB table starts in September 2023
            customer_id="OLD",
            customer_name="Ancienne Maison",
            invoice_number="OLD-1",
            due_date="2022-03-31",
            issue_date="2022-03-01",
        ),
        line(
            customer_id="DE",
            customer_name="Müller GmbH",
            language="de",
            country="DE",
            timezone="Europe/Berlin",
            invoice_number="DE-1",
            due_date=due(30),
            issue_date=due(60),
        ),
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())
    runtime = build_runtime(settings, engine, clock=lambda: morning)
    # Deleted while running (the start-up check refuses a folder that lacks them): German final
    # notices can no longer be written.
    for part in (templates / "email" / "de").glob("final*"):
        part.unlink()

    assert post_daily_digest(runtime, make_client(settings), morning, "instance-1")

    with read_only(engine) as session:
        suggested = session.exec(
            select(Customer.external_id).join(Reminder, Reminder.customer_id == Customer.id)
        ).all()
    assert sorted(suggested) == ["A", "B"]
    posts = fake.calls_to("chat.postMessage")
    digest = json.dumps(posts[0].args["blocks"], ensure_ascii=False)
    assert "No suggestion today" in digest
    assert "Ancienne Maison" in digest and "no ECB main refinancing operations rate known" in digest
    assert "Müller GmbH: no suggestion, because no email template for stage 'final' in 'de'" in (
        digest.replace("*", "")
    )
    cards = [p for p in posts[1:] if p.args.get("thread_ts")]
    assert len(cards) == 2
    # their rates are fixed after the tables' `as_of`: each card warns the person approving
    ecb_known = tomllib.loads(
        (PROJECT_ROOT / "bot" / "reference_rates.toml").read_text(encoding="utf-8")
    )["ECB"]["as_of"]
    for card in cards:
        text = json.dumps(card.args["blocks"], ensure_ascii=False)
        assert "⚠️" in text and f"known up to {ecb_known}" in text
    fake.close()
