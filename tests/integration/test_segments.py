"""Segments on SQLite and PostgreSQL: each customer follows the policy its import column or a
rule chooses; the reminder remembers which; an unknown segment holds the customer back; a
segment's grace, plan limits, furthest promise and "says paid" hold apply to its customers
beyond the morning's deciding too."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import PROJECT_ROOT, Settings
from bot.db import read_only, unit_of_work
from bot.domain.calendar import add_business_days
from bot.domain.escalation import NoAction, Reason, Suggestion
from bot.domain.policy import PolicyError
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import Customer, Invoice, Promise, Reminder
from bot.rendering.check import TemplateCheckFailed
from bot.rendering.locale import customer_locale, long_date
from bot.services.accounts.plans import PlanOutcome, propose_plan
from bot.services.accounts.promises import record_promise
from bot.services.common.context import Runtime
from bot.services.ledger.importing import import_invoices
from bot.services.overview.morning import prepare
from bot.services.overview.reminder_view import load_view
from bot.services.page import answers, customer_page, page_requests
from bot.services.page.customer_page import News, PageInvalid
from bot.services.page.page_links import LinkHolder
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import todays_decisions
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


# --- a segment's settings beyond the morning's deciding -------------------------------------

KEYS = (
    "[limits]\npromise_grace_days = 10\nsaid_paid_hold_days = 14\npromise_max_days = 60\n"
    "[plans]\nmax_instalments = 3\n"
)
KEYS_BY_NAME_OR_AMOUNT = (
    '\n[[segments]]\nname = "keys"\npolicy = "keys.toml"\ncurrency = "EUR"\nmin_amount = 10000\n'
)


def key_accounts(engine: Engine, tmp_path: Path) -> tuple[Runtime, dict[str, int]]:
    """Atelier follows the main policy; Key names the key-accounts segment, Grand Compte is in
    it by what it owes (two invoices, 12 000 EUR together). Key accounts are trusted ten days
    past a promise (main: 3), held a fortnight when they say they paid (main: 7), may promise
    60 days ahead on their page (main: 30), and need a lead for more than 3 instalments (main:
    6). Returns the runtime and the customers' ids by external id."""
    main = policies(tmp_path, KEYS_BY_NAME_OR_AMOUNT)
    (tmp_path / "keys.toml").write_text(KEYS, encoding="utf-8")
    late = (TODAY - timedelta(days=20)).isoformat()
    big = {"customer_id": "G", "customer_name": "Grand Compte", "amount": "6 000,00"}
    rows = [
        line(customer_id="A", invoice_number="A-1", due_date=late),
        line(
            customer_id="K",
            customer_name="Key",
            invoice_number="K-1",
            due_date=late,
            segment="keys",
        ),
        line(**big, invoice_number="G-1", due_date=late),
        line(**big, invoice_number="G-2", due_date=late),
    ]
    header = [*line().keys(), "segment"]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows, header=header), load_mapping())
    runtime = build_runtime(Settings(policy_file=main), engine, clock=lambda: NOW)
    with read_only(engine) as session:
        ids = {c.external_id: c.id for c in session.exec(select(Customer)).all()}
    return runtime, ids


def _promise_states(engine: Engine) -> dict[str, str]:
    with read_only(engine) as session:
        rows = session.exec(
            select(Invoice.number, Promise.state).join(Invoice, Invoice.id == Promise.invoice_id)
        ).all()
    return {number: state for number, state in rows}


def test_the_morning_settles_each_promise_with_the_grace_of_its_customers_policy(
    engine: Engine, tmp_path: Path
) -> None:
    runtime, _ids = key_accounts(engine, tmp_path)
    promised = TODAY - timedelta(days=5)  # past the main policy's 3 days, within the keys' 10
    for number in ("A-1", "K-1", "G-1"):
        record_promise(engine, number, promised, None, "U1", promised)

    morning = prepare(runtime, NOW, "C1")
    assert _promise_states(engine) == {"A-1": "broken", "K-1": "open", "G-1": "open"}
    assert [p.invoice for p in morning.digest.promises_broken] == ["A-1"]
    held = {d.customer.name: d.decision for d in morning.decisions}["Key"]
    assert isinstance(held, NoAction) and held.reason is Reason.PROMISED
    assert f"trusted until {(promised + timedelta(days=10)).isoformat()}" in str(held.detail)

    prepare(runtime, NOW + timedelta(days=6), "C1")  # the keys' ten days are over too
    assert _promise_states(engine) == {"A-1": "broken", "K-1": "broken", "G-1": "broken"}


def test_the_morning_settles_each_plan_with_the_grace_of_its_customers_policy(
    engine: Engine, tmp_path: Path
) -> None:
    runtime, _ids = key_accounts(engine, tmp_path)
    started = TODAY - timedelta(days=5)  # its first instalment, unpaid
    for who in ("Atelier", "Key"):
        plan = propose_plan(engine, who, 2, started, "U1", False, runtime.governing(), started)
        assert plan.accepted

    morning = prepare(runtime, NOW, "C1")
    assert morning.digest.missed_plans == ["Atelier Lefèvre"]
    decided = {d.customer.name: d.decision for d in morning.decisions}
    assert isinstance(decided["Atelier Lefèvre"], Suggestion)  # the ladder resumed
    key = decided["Key"]
    assert isinstance(key, NoAction) and key.reason is Reason.PROMISED  # the plan still holds


def test_a_plan_beyond_its_segments_limits_needs_a_lead_where_the_main_policy_allows_it(
    engine: Engine, tmp_path: Path
) -> None:
    runtime, ids = key_accounts(engine, tmp_path)

    def four_instalments(who: str, lead: bool = False) -> PlanOutcome:
        return propose_plan(engine, who, 4, None, "U1", lead, runtime.governing(), TODAY)

    main = four_instalments("Atelier")
    assert main.accepted and main.breaches == []  # the main policy allows 6
    refused = four_instalments("Grand Compte")  # a key account by what it owes: 3 at most
    assert not refused.accepted and refused.breaches == ["4 instalments (the most is 3)"]
    assert four_instalments("Grand Compte", lead=True).accepted

    def asked_on_the_page(customer: str, count: int) -> News:
        holder = LinkHolder(ids[customer], "link", 1)
        form = {"instalments": str(count)}
        return page_requests.ask_plan(
            engine, runtime.governing(), holder, "127.0.0.1", form, TODAY, "C1"
        )

    with pytest.raises(customer_page.PageInvalid) as beyond:  # the page offers only 3 there
        asked_on_the_page("K", 4)
    assert beyond.value.params == {"most": 3}
    assert asked_on_the_page("K", 3).facts[0] == ("Instalments", "3")


def test_the_page_lets_a_key_account_promise_as_far_ahead_as_its_segment_allows(
    engine: Engine, tmp_path: Path
) -> None:
    runtime, ids = key_accounts(engine, tmp_path)
    policies = runtime.governing()

    def latest(customer: str) -> date:
        return customer_page.load_page(engine, policies, ids[customer], TODAY).latest_promise

    assert (latest("A"), latest("K"), latest("G")) == (
        TODAY + timedelta(days=30),
        TODAY + timedelta(days=60),
        TODAY + timedelta(days=60),
    )

    def promise(customer: str, number: str) -> News:
        form = {"invoice": number, "date": (TODAY + timedelta(days=45)).isoformat()}
        holder = LinkHolder(ids[customer], "link", 1)
        return answers.promise(engine, policies, holder, "127.0.0.1", form, TODAY, "C1")

    assert promise("K", "K-1").kind == "promise"
    with pytest.raises(PageInvalid) as too_far:
        promise("A", "A-1")
    assert (too_far.value.code, too_far.value.params) == ("too_far", {"days": 30})
    assert set(_promise_states(engine)) == {"K-1"}

    with unit_of_work(engine) as session:  # G-2 paid: 6 000 EUR left, below the keys' band
        paid = session.exec(select(Invoice).where(Invoice.number == "G-2")).one()
        paid.paid_minor = paid.amount_minor
    assert latest("G") == TODAY + timedelta(days=30)


def test_a_key_account_that_says_it_paid_is_held_for_its_segments_days(
    engine: Engine, tmp_path: Path
) -> None:
    runtime, _ids = key_accounts(engine, tmp_path)
    stored = {s.customer_id: s.id for s in prepare(runtime, NOW, "C1").created}
    with read_only(engine) as session:
        customers = {c.name: c.id for c in session.exec(select(Customer)).all()}
    for name in ("Atelier Lefèvre", "Key"):
        skipped = decisions.skip(
            engine,
            stored[customers[name]],
            "U1",
            "Customer says it is paid",
            runtime.governing(),
            now=NOW,
            reason_key="paid",
        )
        assert skipped.won

    ten_days_later = NOW + timedelta(days=10)
    with read_only(engine) as session:
        decided = {
            d.customer.name: d.decision
            for d in todays_decisions(session, runtime.policy, ten_days_later, runtime.segments)
        }
    assert isinstance(decided["Atelier Lefèvre"], Suggestion)  # the main policy's 7 days over
    held = decided["Key"]
    assert isinstance(held, NoAction) and held.reason is Reason.HELD
    assert (TODAY + timedelta(days=14)).isoformat() in str(held.detail)
