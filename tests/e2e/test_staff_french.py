"""A French collections team's morning: RELANCE_LOCALE=fr_FR, real signed requests into the app,
every Slack payload it sends recorded by the fake Slack and scanned for English left behind
(tests/support/staff_scan.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import unit_of_work
from bot.models import Reminder
from bot.rendering.staff_text import speaking
from bot.services.cash import BankImport, Candidate, LineView
from bot.services.inbox.actions import OpenAccount
from bot.services.inbox.posting import InboundView
from bot.services.inbox.replies import ReplyDraft
from bot.services.page.customer_page import News
from bot.slack.blocks.cash import choose_modal, line_blocks, line_fallback, summary_blocks
from bot.slack.blocks.inbound import (
    assign_modal,
    dispute_modal,
    inbound_blocks,
    inbound_fallback,
    promise_modal,
    reply_modal,
)
from bot.slack.blocks.page_news import news_blocks, news_text
from bot.slack.ids import APPROVE, APPROVE_ALL, EDIT, SKIP, SKIP_CALLBACK, any_numbered
from tests.support.fake_slack import Call, FakeSlack
from tests.support.slack_fixtures import APPROVER, STRANGER, SlackWorld
from tests.support.slack_http import home_opened_event
from tests.support.slack_steps import ask, ephemerals
from tests.support.staff_scan import (
    overtaken_and_refused,
    team_speaking,
    untranslated,
    visible_texts,
)


@pytest.fixture
def french(engine: Engine, tmp_path: Path) -> Iterator[SlackWorld]:
    with team_speaking(engine, tmp_path, "fr_FR") as world:
        yield world


def _reminders(world: SlackWorld) -> list[Reminder]:
    with unit_of_work(world.engine) as session:
        return list(session.exec(select(Reminder).order_by(Reminder.id)).all())


def test_a_french_morning_has_no_english_left(french: SlackWorld) -> None:
    world = french
    world.slack.command(
        "digest", user=APPROVER, channel="CDIGEST", response_url=world.fake.response_url()
    )
    reminders = world.fake.wait_for(
        lambda: (r := _reminders(world)) and all(x.slack_ts for x in r) and r
    )
    approved, skipped, edited = reminders[0], reminders[1], reminders[-1]
    world.slack.click(
        APPROVE, str(approved.id), user=APPROVER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: world.fake.calls_to("chat.update"))
    for action, card, modals in ((SKIP, skipped, 1), (EDIT, edited, 2)):
        world.slack.click(
            action, str(card.id), user=APPROVER, response_url=world.fake.response_url()
        )
        world.fake.wait_for(lambda n=modals: len(world.fake.calls_to("views.update")) >= n)
    reason = {
        "reason": {"value": {"type": "static_select", "selected_option": {"value": "paid"}}},
        "note": {"value": {"type": "plain_text_input", "value": ""}},
    }
    assert world.slack.submit(SKIP_CALLBACK, str(skipped.id), reason, user=APPROVER).status == 200
    world.fake.wait_for(lambda: len(world.fake.calls_to("chat.update")) >= 2)
    bulk = next(
        e
        for c in world.fake.calls_to("chat.postMessage")
        for b in c.args.get("blocks") or []
        for e in b.get("elements") or []
        if any_numbered(APPROVE_ALL).match(e.get("action_id", ""))
    )
    world.slack.click(
        bulk["action_id"], bulk["value"], user=APPROVER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: ephemerals(world))
    for command, user in (
        ("help", APPROVER),
        ("frobnicate", APPROVER),
        ("pause", APPROVER),
        ("customer Atelier", APPROVER),
        ("dispute C-1 montant erroné", APPROVER),
        ("resolve C-1", APPROVER),
    ):
        ask(world, command, user)
    ask(world, "customer Atelier", STRANGER)
    world.slack.click(
        APPROVE, str(skipped.id), user=STRANGER, response_url=world.fake.response_url()
    )
    world.fake.wait_for(lambda: any("approuver des relances" in t for t in ephemerals(world)))
    home = world.slack.post(home_opened_event(APPROVER), content_type="application/json")
    assert home.status == 200
    world.fake.wait_for(lambda: world.fake.calls_to("views.publish"))

    shown = json.dumps([c.args for c in world.fake.calls], ensure_ascii=False)
    assert "Synthèse des impayés" in shown and "Approuver" in shown and "Ignorer" in shown
    assert "Relance amiable" in shown or "Relance ferme" in shown  # the policy's French labels
    # CLDR plurals, French: 1 and 2 (and more) take different forms, never "jour(s)"
    assert "avec 1 jour de retard" in shown and "avec 10 jours de retard" in shown
    assert "2 factures" in shown and "1 facture " in shown
    assert "Relance — le grand livre en un coup d’œil" in shown  # the Home tab
    assert "Ignorer la relance" in shown and "Modifier la relance" in shown  # the modals
    assert "Ignorée par" in shown and "Le client dit avoir payé" in shown  # the skip, recorded
    assert "en attente de l’étape suivante" in shown  # why a customer is held back
    visible = "\n".join(t for c in world.fake.calls for t in visible_texts(c.args))
    assert "friendly" not in visible and "Audit trail" not in visible  # stage keys, fixed words
    replies = "\n".join(ephemerals(world))
    assert "Aucune relance « Relance amiable » n’était encore en attente" in replies
    assert "ce que vous pouvez faire ici" in replies and "Je ne connais pas" in replies
    assert "Usage : `/relance pause &lt;client&gt;" in replies and "Désolé" in replies
    assert "Compte : Atelier Lefèvre" in replies and "*Solde*" in shown  # an account
    assert "La facture C-1 est en litige" in replies and "Le litige sur C-1 est clos" in replies
    assert "(s)" not in shown
    assert untranslated(world.fake, "fr") == []


def test_the_scan_finds_english_where_it_is_left() -> None:
    """The scan itself: an English digest line is caught, its French twin is not."""
    fake = FakeSlack()
    try:
        line_block = {"type": "section", "text": {"type": "mrkdwn", "text": "oldest 3 days late"}}
        fake.calls.append(Call("chat.postMessage", {"text": "x", "blocks": [line_block]}, {}))
        found = {i for _m, i, _t in untranslated(fake, "fr")}
        assert {"oldest {count} days late", "{count} days late"} <= found
        line_block["text"]["text"] = "la plus ancienne avec 3 jours de retard"
        assert untranslated(fake, "fr") == []
    finally:
        fake.close()


def test_a_customers_message_and_its_forms_are_in_french() -> None:
    """The inbound card (a reply awaiting confirmation, an unmatched bounce) and its forms,
    rendered in French and scanned the same way (the mailbox's own tests post them)."""
    reply_view = InboundView(
        id=7,
        kind="reply",
        sender="jean@atelier.example",
        sender_name="Jean Lefèvre",
        subject="Re: Relance",
        text="Nous avons payé hier.",
        attachments=(("virement.pdf", 2048),),
        customer_id=1,
        customer_ref="A",
        customer_name="Atelier Lefèvre",
        matched_by="thread",
        consequence="relances en pause",
        reason="",
        target=None,
        awaiting_confirmation=True,
    )
    bounce = replace(reply_view, kind="bounce", customer_id=None, matched_by="", reason="x")
    account = OpenAccount(inbound_id=7, customer_name="Atelier Lefèvre", invoices=("A-1",))
    with speaking("fr_FR"):
        payloads = [
            {"text": inbound_fallback(reply_view), "blocks": inbound_blocks(reply_view)},
            {"text": inbound_fallback(bounce), "blocks": inbound_blocks(bounce)},
            {"view": reply_modal(ReplyDraft(7, "Atelier Lefèvre", "jean@atelier.example", "Re"))},
            {"view": dispute_modal(account)},
            {"view": promise_modal(account)},
            {"view": assign_modal(7)},
        ]
    fake = FakeSlack()
    try:
        fake.calls.extend(Call("chat.postMessage", p, {}) for p in payloads)
        assert untranslated(fake, "fr") == []
    finally:
        fake.close()
    shown = json.dumps(payloads, ensure_ascii=False)
    assert (
        "Confirmer — c’est bien le sien" in shown and "Rattaché par : répond à une relance" in shown
    )
    assert "❗ Rejet définitif" in shown and "Promesse de paiement" in shown


def test_bank_payments_and_a_contact_change_are_in_french() -> None:
    """A statement's summary, a bank line's card (to decide, with a proposal; then applied with
    credit kept), its form, and a customer's contact change asked on their page, rendered in
    French and scanned the same way (the bank's and the page's own tests post them)."""
    bank_line = LineView(
        id=3,
        booked=date(2026, 12, 1),
        amount=Decimal("1250.00"),
        currency="EUR",
        payer_name="Atelier Lefèvre",
        payer_iban="FR7630006000011234567890189",
        remittance="Facture A-1",
        state="to_decide",
        why="montant différent du solde",
        customer="Atelier Lefèvre",
        proposed=(("A-1", Decimal("1200.00")),),
        candidates=tuple(
            Candidate(f"A-{n}", Decimal("100.00"), date(2026, 11, n)) for n in range(1, 13)
        ),
        decided_by="",
        unapplied=Decimal(0),
        slack_channel="",
        slack_ts="",
    )
    applied = replace(bank_line, state="applied", decided_by="U1", unapplied=Decimal("50.00"))
    report = BankImport(
        statement_id=1,
        file_name="releve.xml",
        format="camt.053",
        account="FR76",
        lines=5,
        already_imported=1,
        applied=1,
        applied_total={"EUR": Decimal("10.00")},
        suggested=0,
        to_decide=(3,),
        ignored=1,
        reversed=1,
        unapplied={"EUR": Decimal("50.00")},
        cancelled=2,
    )
    change = News(
        customer_id=1,
        customer_ref="A",
        customer_name="Atelier Lefèvre",
        kind="contact",
        invoice_numbers=(),
        facts=[("Contact", "Jean Lefèvre"), ("E-mail", "jean@atelier.example")],
        request_id=4,
    )
    with speaking("fr_FR"):
        payloads = [
            {"text": "x", "blocks": summary_blocks(report, "fr_FR")},
            {"text": line_fallback(bank_line, "fr_FR"), "blocks": line_blocks(bank_line, "fr_FR")},
            {"text": "x", "blocks": line_blocks(applied, "fr_FR")},
            {"view": choose_modal(bank_line, "fr_FR")},
            {"text": news_text(change), "blocks": news_blocks(change)},
        ]
    fake = FakeSlack()
    try:
        fake.calls.extend(Call("chat.postMessage", p, {}) for p in payloads)
        assert untranslated(fake, "fr") == []
    finally:
        fake.close()
    shown = json.dumps(payloads, ensure_ascii=False)
    assert "Relevé bancaire releve.xml" in shown and "2 relances dépassées" in shown
    assert "Affecter à A-1" in shown and "Pas un paiement client" in shown
    assert "Affecté par <@U1>" in shown and "conservés en avoir" in shown
    assert "Affecter un paiement" in shown and "… et 2 de plus" in shown
    assert "demande à changer son contact de facturation" in shown
    assert "Accepter le changement" in shown


def test_an_expired_card_and_a_refused_amount_say_why_in_french(french: SlackWorld) -> None:
    card, refused = overtaken_and_refused(french)
    assert (
        "⌛ Expirée : n’a plus lieu d’être : le client a promis de payer avant le 2030-01-15"
        in (card)
    )
    assert "10.0012 a plus de 2 décimales pour EUR." in refused
    assert untranslated(french.fake, "fr") == []
