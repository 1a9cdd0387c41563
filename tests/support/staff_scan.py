"""Scanning what the fake Slack recorded for English left behind in a staff language.

"English left behind" is any msgid of the language's catalog (bot/locale/<lang>/LC_MESSAGES)
whose translation differs from it, found in a payload's visible text with its `{fields}` as
wildcards: a string that skipped the catalog, or a surface posted outside `speaking`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.db import unit_of_work
from bot.entry.composition import build_runtime, next_business_morning
from bot.entry.server import wsgi_app
from bot.importing.mapping import load_mapping
from bot.models import Reminder
from bot.rendering.staff_text import LOCALE_DIR
from bot.services.ledger.importing import import_invoices
from tests.support.csvfiles import line, write_csv
from tests.support.fake_slack import FakeSlack
from tests.support.slack_fixtures import APPROVER, SECRET, SlackWorld, slack_settings
from tests.support.slack_http import SignedSlack, serve
from tests.support.slack_steps import ask


def _pattern(msgid: str) -> re.Pattern[str] | None:
    """The English text of a msgid, its `{fields}` matching anything; None when its literal
    words are too short to tell from a translation (fields and separators only: "{a}: {b}")."""
    pieces = [p.strip() for p in re.split(r"\{[^{}]*\}", msgid)]
    if sum(len(re.sub(r"\W", "", p)) for p in pieces) < 4:
        return None
    body = r".*?".join(re.escape(p) for p in pieces if p)
    first, last = body[0], body[-1]
    start = r"\b" if first.isalnum() else ""
    end = r"\b" if last.isalnum() else ""
    return re.compile(start + body + end, re.DOTALL)


@cache
def english_patterns(language: str) -> dict[str, re.Pattern[str]]:
    """Each English form (singular and plural) whose translation differs, as a pattern."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "relance.po").open("rb") as po:
        catalog = read_po(po)
    found = {}
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in english:
            if form not in translated and (pattern := _pattern(form)) is not None:
                found[form] = pattern
    return found


def visible_texts(payload: object) -> Iterator[str]:
    """The words Slack shows of a payload: every `text` (message, section, button, header,
    confirm, modal title…), `placeholder` and `label` string; never ids or values."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in ("text", "fallback") and isinstance(value, str):
                yield value
            elif key not in ("action_id", "block_id", "value", "private_metadata", "callback_id"):
                yield from visible_texts(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from visible_texts(item)


def untranslated(fake: FakeSlack, language: str) -> list[tuple[str, str, str]]:
    """(method, msgid, text) of every English msgid found in a recorded payload."""
    patterns = english_patterns(language)
    found = []
    for call in fake.calls:
        for text in visible_texts(call.args):
            for msgid, pattern in patterns.items():
                if pattern.search(text):
                    found.append((call.method, msgid, text))
    return found


def four_invoices_ledger(engine: Engine, tmp_path: Path, today: date) -> None:
    """Three customers: two invoices 20 and 40 days late, one 10 days late, one a single day
    late (the plural forms for 1 and for more)."""

    def due(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    rows = [
        line(customer_id="A", invoice_number="A-1", due_date=due(20), issue_date=due(50)),
        line(customer_id="A", invoice_number="A-2", due_date=due(40), issue_date=due(70)),
        line(
            customer_id="B",
            customer_name="Boulangerie Martin",
            email="compta@martin.example",
            invoice_number="B-1",
            due_date=due(1),
            issue_date=due(31),
        ),
        line(
            customer_id="C",
            customer_name="Brasserie Van den Berg",
            email="compta@vandenberg.example",
            invoice_number="C-1",
            due_date=due(10),
            issue_date=due(40),
        ),
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())


@contextmanager
def team_speaking(engine: Engine, tmp_path: Path, locale: str) -> Iterator[SlackWorld]:
    """The app on a business morning with RELANCE_LOCALE=`locale`, real signed requests into
    it, and `four_invoices_ledger` imported."""
    fake = FakeSlack()
    settings = slack_settings(fake, locale=locale)
    morning = next_business_morning(datetime.now(UTC).date(), settings)
    runtime = build_runtime(settings, engine, clock=lambda: morning)
    url, stop = serve(wsgi_app(runtime, background=False))
    four_invoices_ledger(engine, tmp_path, morning.date())
    try:
        yield SlackWorld(fake, SignedSlack(url, SECRET), runtime)
    finally:
        stop()
        fake.close()


def overtaken_and_refused(world: SlackWorld) -> tuple[str, str]:
    """The morning's digest, then a promise recorded on the first suggestion's invoice (which
    expires it, its card redrawn with why) and one whose amount has more decimals than euros
    have: (the expired card as updated, the refusal as replied), for the staff language."""
    world.slack.command(
        "digest", user=APPROVER, channel="CDIGEST", response_url=world.fake.response_url()
    )
    first = world.fake.wait_for(lambda: _first_card(world.engine))
    number, ts = first.numbers[0], first.slack_ts
    updates = len(world.fake.calls_to("chat.update"))
    ask(world, f"promise {number} 2030-01-15")
    card = world.fake.wait_for(
        lambda: [c for c in world.fake.calls_to("chat.update")[updates:] if c.args["ts"] == ts]
    )[-1]
    refused = ask(world, f"promise {number} 2030-01-15 10.0012")
    return json.dumps(card.args, ensure_ascii=False), json.dumps(refused, ensure_ascii=False)


def _first_card(engine: Engine) -> Reminder | None:
    with unit_of_work(engine) as session:
        return session.exec(
            select(Reminder).where(col(Reminder.slack_ts) != "").order_by(col(Reminder.id))
        ).first()
