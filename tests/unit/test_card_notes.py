"""What a card tells the approver beyond the text: no bank account for a currency, and when an
e-mail for another time zone goes out."""

from __future__ import annotations


def test_the_card_tells_the_approver_when_no_account_was_given():
    from datetime import date

    from bot.services.reminders.compose import no_account_note
    from bot.slack.blocks.card import reminder_card
    from tests.support.views import reminder_view

    view = reminder_view(warnings=(no_account_note(["CHF"]),))
    assert "No bank account for CHF" in str(reminder_card(view, date(2026, 11, 26)))


def test_the_card_says_when_a_reminder_for_another_time_zone_goes_out():
    from datetime import UTC, date, datetime

    from bot.slack.blocks.card import reminder_card
    from tests.support.views import reminder_view

    view = reminder_view(
        send_after=datetime(2026, 11, 29, 22, 0, tzinfo=UTC), timezone="Australia/Sydney"
    )
    shown = str(reminder_card(view, date(2026, 11, 27)))
    assert "Monday 30 November, 09:00 (Australia/Sydney)" in shown
    same_day = reminder_view(send_after=datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert "Goes out" not in str(reminder_card(same_day, date(2026, 11, 27)))
