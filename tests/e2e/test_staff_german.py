"""A German collections team's morning: RELANCE_LOCALE=de_DE, real signed requests into the app,
every Slack payload it sends recorded by the fake Slack and scanned for English left behind
(tests/support/staff_scan.py): the digest and its cards, the unowned reminders on the Home tab
under their stages' labels, a card approved and one skipped, who is held back and why, and the
services' refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import unit_of_work
from bot.domain.escalation import Reason, paused_detail
from bot.domain.holds import said_paid
from bot.domain.money import AmountError, parse_amount
from bot.domain.msgid import Phrase, verbatim
from bot.importing.source import LineError
from bot.models import Reminder
from bot.rendering.staff_text import speaking
from bot.services.delivery.outbox import DeliveryReport, OutboxPaused
from bot.services.inbox import mailbox as inbox
from bot.services.inbox.posting import InboundView
from bot.services.ledger.folder_import import FileOutcome
from bot.services.ledger.importing import ImportReport
from bot.services.overview.morning import HeldBack
from bot.services.reminders.holds import HeldCustomer
from bot.services.reminders.suggestions import CustomerView, failure
from bot.slack.blocks.held import held_back_text, held_lines
from bot.slack.blocks.inbound import inbound_blocks, inbound_fallback
from bot.slack.blocks.worklist import HOME_PAGE
from bot.slack.ids import APPROVE, SHOW_HELD_BACK, SKIP, SKIP_CALLBACK
from bot.slack.import_notice import notice_text
from bot.slack.outbox_alerts import alert_text
from bot.slack.slack_errors import explain
from tests.support.fake_slack import Call, FakeSlack
from tests.support.slack_fixtures import APPROVER, SlackWorld
from tests.support.slack_steps import ask, ephemerals
from tests.support.staff_scan import (
    overtaken_and_refused,
    team_speaking,
    untranslated,
    visible_texts,
)
from tests.support.worklists import home_action, open_home


@pytest.fixture
def german(engine: Engine, tmp_path: Path) -> Iterator[SlackWorld]:
    with team_speaking(engine, tmp_path, "de_DE") as world:
        yield world


def _reminders(world: SlackWorld) -> list[Reminder]:
    with unit_of_work(world.engine) as session:
        return list(session.exec(select(Reminder).order_by(Reminder.id)).all())


def _nobodys_morning(world: SlackWorld) -> None:
    view = open_home(world, APPROVER)["view"]
    before = len(world.fake.calls_to("views.publish"))
    click = home_action(
        {"type": "button", "action_id": HOME_PAGE, "value": "nobody|0"}, user=APPROVER, view=view
    )
    assert world.slack.post(click).status == 200
    world.fake.wait_for(lambda: world.fake.calls_to("views.publish")[before:])


def test_a_german_morning_has_no_english_left(german: SlackWorld) -> None:
    world = german
    ask(world, "pause Boulangerie")
    world.slack.command(
        "digest", user=APPROVER, channel="CDIGEST", response_url=world.fake.response_url()
    )
    reminders = world.fake.wait_for(
        lambda: (r := _reminders(world)) and all(x.slack_ts for x in r) and r
    )
    _nobodys_morning(world)  # both reminders still undecided, under their stage's label
    approved, skipped = reminders[0], reminders[-1]
    world.slack.click(
        APPROVE, str(approved.id), user=APPROVER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: world.fake.calls_to("chat.update"))
    world.slack.click(SKIP, str(skipped.id), user=APPROVER, response_url=world.fake.response_url())
    world.fake.wait_for(lambda: world.fake.calls_to("views.update"))
    reason = {
        "reason": {"value": {"type": "static_select", "selected_option": {"value": "paid"}}},
        "note": {"value": {"type": "plain_text_input", "value": ""}},
    }
    assert world.slack.submit(SKIP_CALLBACK, str(skipped.id), reason, user=APPROVER).status == 200
    world.fake.wait_for(lambda: len(world.fake.calls_to("chat.update")) >= 2)
    for command in ("promise Z-9 2030-01-01", "plan Atelier 0", "resume Brasserie"):
        ask(world, command)  # refused by the services, each in its own words
    before = len(ephemerals(world))
    world.slack.click(
        SHOW_HELD_BACK, Reason.PAUSED.value, user=APPROVER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: len(ephemerals(world)) > before)

    shown = json.dumps([c.args for c in world.fake.calls], ensure_ascii=False)
    assert "Übersicht überfälliger Posten" in shown and "Freigeben" in shown
    assert "Überspringen" in shown and "Mahnung überspringen" in shown  # the card, the modal
    assert "*Heute zurückgestellt*: 1 säumiger Kunde erhält keine Mahnung" in shown
    assert "2 Rechnungen" in shown and "1 Rechnung " in shown  # CLDR plurals, German
    assert "älteste 1 Tag überfällig" in shown and "älteste 40 Tage überfällig" in shown
    assert "*Freundliche Zahlungserinnerung* (2)" in shown  # Nobody's reminders, by stage label
    assert "Mahnungen ohne Verantwortliche" in shown
    assert "Übersprungen von" in shown and "Kunde gibt an, bezahlt zu haben" in shown
    replies = "\n".join(ephemerals(world))
    assert "Mahnungen an Boulangerie Martin sind pausiert" in replies
    assert "Keine Rechnung mit der Nummer 'Z-9'." in replies
    assert "Ein Ratenplan braucht mindestens eine Rate." in replies
    assert "Brasserie Van den Berg ist nicht pausiert." in replies
    assert "*Zurückgestellt — pausiert* (1)\n• *Boulangerie Martin*: Mahnungen sind pausiert" in (
        replies
    )
    visible = "\n".join(t for c in world.fake.calls for t in visible_texts(c.args))
    assert "friendly" not in visible and "(s)" not in visible
    assert untranslated(world.fake, "de") == []


def test_what_the_services_say_is_worded_in_german() -> None:
    """Texts the services hand over as phrases — why a customer is held back or got no
    suggestion, a hold after a skip, an inbound message's consequence, an import's notice, the
    outbox's alert, Slack's errors — rendered where Slack shows them, in German."""
    customer = CustomerView(
        1, "A", "Atelier Lefèvre", "Jean", "", "a@x.example", "fr", "FR", "Europe/Paris", "",
        False, None, "", "", None, "", "", "", "",
    )  # fmt: skip
    failed = failure(customer, TemplateNotFound("friendly.fr.j2")).decision
    report = ImportReport(12, 1, 0, 2, 1, 1, disagreements=(verbatim("A-1: 10.00 ≠ 12.00"),))
    inbound = InboundView(
        7, "reply", "jean@atelier.example", "Jean", "Re: Relance", "Bezahlt.", (), 1, "A",
        "Atelier Lefèvre", "sender", inbox.UNCONFIRMED, "", None, True,
    )  # fmt: skip
    pause = OutboxPaused(datetime(2026, 12, 7, 9, tzinfo=UTC), 1, "421 try later", True)
    with speaking("de_DE"):
        texts = [
            *held_lines([HeldCustomer("Atelier Lefèvre", said_paid(date(2026, 12, 7), 5).detail)]),
            held_back_text(HeldBack(Reason.FAILED.value, [("Atelier Lefèvre", failed.detail)])),
            held_back_text(HeldBack(Reason.PAUSED.value, [("B", paused_detail(None))])),
            notice_text(FileOutcome("ledger.csv", Path("done/ledger.csv"), report=report)),
            notice_text(
                FileOutcome(
                    "bad.csv",
                    Path("failed/bad.csv"),
                    errors="x\ny",
                    lines=(LineError(3, "amount", _refusal("12,3x")),),
                    failures=1,
                )
            ),
            alert_text(DeliveryReport(pause=pause)) or "",
            alert_text(DeliveryReport(resumed=True)) or "",
            explain("not_in_channel", "CDIGEST"),
            explain("missing_scope", needed="users:read"),
        ]
        payloads = [{"text": t} for t in texts]
        payloads.append({"text": inbound_fallback(inbound), "blocks": inbound_blocks(inbound)})
    fake = FakeSlack()
    try:
        fake.calls.extend(Call("chat.postMessage", p, {}) for p in payloads)
        assert untranslated(fake, "de") == []
    finally:
        fake.close()
    shown = json.dumps(payloads, ensure_ascii=False)
    assert "angehalten bis 2026-12-12, bis zum nächsten Import" in shown
    assert "kein Vorschlag, weil die Vorlage friendly.fr.j2 fehlt" in shown
    assert "Mahnungen sind pausiert" in shown
    assert "ledger.csv: 2 neue Rechnungen, 1 geändert, 1 neuer Kunde, 1 Zahlung, 1 Saldo" in shown
    assert "bad.csv: nichts importiert (1 Fehler); mit Fehlerbericht" in shown
    assert "Zeile 3, Spalte 'amount': '12,3x' ist kein Betrag" in shown  # a line's error
    assert "*Versand angehalten*" in shown and "*Versand läuft wieder*" in shown
    assert "der Bot ist nicht im Kanal CDIGEST" in shown and "Berechtigung users:read" in shown
    assert "nicht als vom Kunden stammend authentifiziert" in shown


def _refusal(amount: str) -> Phrase:
    """Why the importer refuses `amount`, as the rule says it."""
    with pytest.raises(AmountError) as refused:
        parse_amount(amount)
    return refused.value.phrase


def test_an_expired_card_and_a_refused_amount_say_why_in_german(german: SlackWorld) -> None:
    card, refused = overtaken_and_refused(german)
    assert (
        "⌛ Abgelaufen: nicht mehr zutreffend: der Kunde hat Zahlung bis 2030-01-15 zugesagt"
        in (card)
    )
    assert "10.0012 hat mehr als 2 Nachkommastellen für EUR." in refused
    assert untranslated(german.fake, "de") == []
