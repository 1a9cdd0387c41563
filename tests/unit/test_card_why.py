"""A card says why: the stage's reason, the last contact and its outcome, what holds, the
number to call — and when the policy will approve it unless stopped."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from bot.config import load_policy
from bot.domain.money import Money
from bot.domain.states import ReminderState
from bot.domain.worklist import stage_titles
from bot.rendering.staff_text import language, speaking
from bot.services.overview.reminder_view import InvoiceLine, ReminderView
from bot.services.overview.worklists import CustomerFacts, LastContact
from bot.slack.blocks.card import reminder_card
from tests.support.blockkit import check_message

TODAY = date(2026, 11, 25)


def view(**changes: object) -> ReminderView:
    base = dict(
        id=7,
        run_date=TODAY,
        customer_name="Atelier <Lefèvre>",
        contact_name="Jean",
        customer_email="jean@atelier.example",
        country="FR",
        language="fr",
        locale="fr_FR",
        stage="call",
        channel="phone",
        wording="",
        subject="Call",
        body_text="Script",
        edited=False,
        state=ReminderState.SUGGESTED,
        decided_by="",
        decided_at=None,
        skip_reason=None,
        invoices=[InvoiceLine("F-1", Money(Decimal(100), "EUR"), date(2026, 10, 1))],
        delivery=None,
        delivery_error="",
        attempts=0,
        slack_channel="",
        slack_ts="",
    )
    return ReminderView(**{**base, **changes})


def test_a_call_card_says_why_with_the_last_contact_what_holds_and_the_number() -> None:
    facts = CustomerFacts(
        LastContact(datetime(2026, 11, 20, 9, tzinfo=UTC), "email", "firm", "bounced <x>"),
        promised=True,
        on_plan=True,
        history=("friendly", "firm"),
    )
    blocks = reminder_card(view(facts=facts, phone="+33 1 00 00 00 00"), TODAY)
    check_message(blocks)
    text = json.dumps(blocks, ensure_ascii=False)
    assert "*Why call* (main policy): oldest invoice 55 days late" in text
    assert "Last contact <!date^" in text and "e-mail (firm) — bounced &lt;x&gt;" in text
    assert "sent before: friendly → firm" in text
    assert "🤝 promise to pay" in text and "📅 on a payment plan" in text
    assert "dispute" not in text and "📞 +33 1 00 00 00 00" in text
    assert "waiting" not in text


def test_a_card_counts_the_replies_waiting() -> None:
    one = json.dumps(reminder_card(view(facts=CustomerFacts(replies_waiting=1)), TODAY))
    three = json.dumps(reminder_card(view(facts=CustomerFacts(replies_waiting=3)), TODAY))
    assert "1 reply waiting" in one and "3 replies waiting" in three


def test_a_card_the_policy_will_approve_says_when_unless_stopped() -> None:
    at = datetime(2026, 11, 25, 10, tzinfo=UTC)
    blocks = reminder_card(
        view(stage="friendly", channel="email", auto_at=at, auto_rule="stage friendly: auto"),
        TODAY,
    )
    text = json.dumps(blocks, ensure_ascii=False)
    assert "⏱ Goes <!date^" in text and "unless someone skips or edits it first" in text
    assert "No contact yet" in text


def test_the_stages_sent_before_are_named_by_their_labels_in_the_staff_language() -> None:
    """A card's history and last contact name stages as staff read them, never by their keys."""
    facts = CustomerFacts(
        LastContact(datetime(2026, 11, 20, 9, tzinfo=UTC), "email", "firm", ""),
        history=("friendly", "firm"),
    )
    with speaking("de_DE"):
        titles = stage_titles(load_policy(), language=language())
        text = json.dumps(
            reminder_card(view(facts=facts), TODAY, titles=titles), ensure_ascii=False
        )
    assert "bereits gesendet: Freundliche Zahlungserinnerung → Nachdrückliche Mahnung" in text
    assert "E-Mail (Nachdrückliche Mahnung)" in text
    assert "friendly" not in text and "firm" not in text
