"""Segments on SQLite and PostgreSQL: each customer follows the policy its import column or a
rule chooses; the reminder remembers which; an unknown segment holds the customer back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import PROJECT_ROOT, Settings
from bot.db import read_only
from bot.domain.calendar import add_business_days
from bot.domain.escalation import NoAction, Reason
from bot.domain.policy import PolicyError
from bot.importing.mapping import load_mapping
from bot.models import Customer, Reminder
from bot.rendering.check import TemplateCheckFailed
from bot.rendering.locale import customer_locale, long_date
from bot.runtime import build_runtime
from bot.services.importing import import_invoices
from bot.services.morning import prepare
from bot.services.reminder_view import load_view
from bot.slack.cards import CardPublisher
from bot.slack.client import make_client
from tests.support.csvfiles import line, write_csv
from tests.support.fake_slack import FakeSlack

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
TODAY = date(2026, 11, 25)
SEGMENTS = """
[[segments]]
name = "public"
policy = "public.toml"
country = "GB"
"""


def policies(folder: Path, segments: str = SEGMENTS) -> Path:
    bundled = (PROJECT_ROOT / "bot" / "policy.toml").read_text(encoding="utf-8")
    public = '[[stages]]\nname = "friendly"\nopens_at_days = 30\nchannel = "email"\n'
    (folder / "public.toml").write_text(public, encoding="utf-8")  # longer terms
    main = folder / "policy.toml"
    main.write_text(bundled + segments, encoding="utf-8")
    return main


def test_each_customer_follows_its_segments_policy(engine: Engine, tmp_path: Path) -> None:
    def late(days: int) -> str:
        return (TODAY - timedelta(days=days)).isoformat()

    rows = [
        line(customer_id="A", invoice_number="A-1", due_date=late(20)),
        line(
            customer_id="B",
            customer_name="Bee Ltd",
            invoice_number="B-1",
            due_date=late(20),
            country="GB",
            timezone="Europe/London",
            currency="GBP",
        ),
        line(
            customer_id="C",
            customer_name="Cee",
            invoice_number="C-1",
            due_date=late(40),
            segment="public",
        ),
        line(
            customer_id="D",
            customer_name="Dee",
            invoice_number="D-1",
            due_date=late(20),
            segment="nosuch",
        ),
    ]
    header = [*line().keys(), "segment"]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows, header=header), load_mapping())
    runtime = build_runtime(Settings(policy_file=policies(tmp_path)), engine, clock=lambda: NOW)
    morning = prepare(runtime, NOW, "C1")

    by_name = {d.customer.name: d for d in morning.decisions}
    assert by_name["Bee Ltd"].segment == "public"
    assert isinstance(by_name["Bee Ltd"].decision, NoAction)  # public opens at 30 days
    held = by_name["Dee"].decision
    assert isinstance(held, NoAction) and held.reason is Reason.UNKNOWN_SEGMENT
    assert morning.digest.held_back[Reason.UNKNOWN_SEGMENT.value] == 1
    with read_only(engine) as session:
        stored = {
            name: segment
            for name, segment in session.exec(
                select(Customer.name, Reminder.segment).join(
                    Reminder, Reminder.customer_id == Customer.id
                )
            ).all()
        }
    assert stored == {"Atelier Lefèvre": "", "Cee": "public"}


def test_a_rule_naming_a_segment_without_a_policy_is_refused(tmp_path: Path) -> None:
    broken = SEGMENTS + '\n[[segments]]\nname = "keys"\npolicy = "missing.toml"\n'
    with pytest.raises(PolicyError, match="invalid segments"):
        build_runtime(Settings(policy_file=policies(tmp_path, broken)))


def test_a_segment_setting_only_its_owners_keeps_the_main_ladder_and_routes_to_them(
    engine: Engine, tmp_path: Path
) -> None:
    """A key-accounts file with only an owners rule: its customers climb the main policy's
    ladder, and their reminders go to the segment's owner, not the main policy's."""
    main = policies(
        tmp_path,
        '\n[[owners]]\ncountry = "FR"\nowner = "U0456EFGH"\n'
        '\n[[segments]]\nname = "keys"\npolicy = "keys.toml"\n',
    )
    keys = '[[owners]]\ncountry = "FR"\nowner = "U0123ABCD"\n'
    (tmp_path / "keys.toml").write_text(keys, encoding="utf-8")
    late = (TODAY - timedelta(days=20)).isoformat()
    rows = [
        line(customer_id="A", invoice_number="A-1", due_date=late),
        line(
            customer_id="K",
            customer_name="Key",
            invoice_number="K-1",
            due_date=late,
            segment="keys",
        ),
    ]
    header = [*line().keys(), "segment"]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows, header=header), load_mapping())
    runtime = build_runtime(Settings(policy_file=main), engine, clock=lambda: NOW)
    prepare(runtime, NOW, "C1")
    with read_only(engine) as session:
        stored = {
            name: (stage, owner, segment)
            for name, stage, owner, segment in session.exec(
                select(Customer.name, Reminder.stage, Reminder.owner, Reminder.segment).join(
                    Reminder, Reminder.customer_id == Customer.id
                )
            ).all()
        }
    assert stored["Key"] == (stored["Atelier Lefèvre"][0], "U0123ABCD", "keys")
    assert stored["Atelier Lefèvre"][1] == "U0456EFGH"


def test_a_segment_stage_without_its_templates_is_refused_at_start_up(tmp_path: Path) -> None:
    main = policies(tmp_path, '\n[[segments]]\nname = "keys"\npolicy = "keys.toml"\n')
    stage = (
        '[[stages]]\nname = "nudge"\ntemplate = "no_such"\nopens_at_days = 5\nchannel = "email"\n'
    )
    (tmp_path / "keys.toml").write_text(stage, encoding="utf-8")
    with pytest.raises(TemplateCheckFailed, match="no_such"):
        build_runtime(Settings(policy_file=main))


def test_a_segments_discount_terms_are_the_ones_its_reminders_offer(
    engine: Engine, tmp_path: Path
) -> None:
    """Key accounts pay within 3 business days for their 2 %; the texts, written when first
    read, take the deciding segment's terms, not the main policy's 7 days."""
    main = policies(tmp_path, '\n[[segments]]\nname = "keys"\npolicy = "keys.toml"\n')
    keys = (
        "[discount]\npay_within_business_days = 3\n"
        '[[stages]]\nname = "friendly"\nopens_at_days = 7\nchannel = "email"\n'
        "discount_percent = 2\n"
    )
    (tmp_path / "keys.toml").write_text(keys, encoding="utf-8")
    late = (TODAY - timedelta(days=20)).isoformat()
    rows = [line(customer_id="K", customer_name="Key", invoice_number="K-1", due_date=late)]
    header = [*line().keys(), "segment"]
    rows[0]["segment"] = "keys"
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows, header=header), load_mapping())
    runtime = build_runtime(Settings(policy_file=main), engine, clock=lambda: NOW)
    (suggested,) = prepare(runtime, NOW, "C1").created

    view = load_view(runtime.drafter(), suggested.id)
    locale = customer_locale("fr", "FR")
    assert f"avant le {long_date(add_business_days(TODAY, 3, 'FR'), locale)}" in view.body_text
    assert long_date(add_business_days(TODAY, 7, "FR"), locale) not in view.body_text


def test_a_segments_own_stage_keeps_its_label_and_icon_on_the_card(
    engine: Engine, tmp_path: Path
) -> None:
    main = policies(tmp_path, '\n[[segments]]\nname = "keys"\npolicy = "keys.toml"\n')
    keys = (
        '[[stages]]\nname = "nudge"\nlabel = "Gentle nudge"\nicon = "🪶"\n'
        'template = "friendly"\nopens_at_days = 7\nchannel = "email"\n'
    )
    (tmp_path / "keys.toml").write_text(keys, encoding="utf-8")
    late = (TODAY - timedelta(days=20)).isoformat()
    rows = [line(customer_id="K", customer_name="Key", invoice_number="K-1", due_date=late)]
    rows[0]["segment"] = "keys"
    header = [*line().keys(), "segment"]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows, header=header), load_mapping())
    fake = FakeSlack()
    settings = Settings(policy_file=main, slack_bot_token="xoxb-test", slack_api_url=fake.api_url)
    runtime = build_runtime(settings, engine, clock=lambda: NOW)
    prepare(runtime, NOW, "C1")

    assert CardPublisher(runtime.drafter, make_client(settings)).post_new(TODAY, "C1", "1.0") == 1
    (card,) = fake.calls_to("chat.postMessage")
    shown = json.dumps(card.args["blocks"], ensure_ascii=False)
    assert "🪶 *Key*" in shown and "*Gentle nudge*" in shown
    fake.close()
