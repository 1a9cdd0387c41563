"""A reminder's card is claimed while it is posted, so a card posted at once (a plan's
confirmation) and the digest's thread never both post it; a claim whose poster died lapses."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy.engine import Engine

from bot.db import unit_of_work
from bot.models import Customer, Invoice, Reminder, ReminderInvoice, utcnow
from bot.services.overview import cards

DAY = date(2026, 11, 26)


def _reminder(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        customer = Customer(
            external_id="A", name="Acme", country="FR", timezone="Europe/Paris", currency="EUR"
        )
        session.add(customer)
        session.flush()
        session.add(  # the invoice the reminder lists (its list names invoices that exist)
            Invoice(
                number="A-1",
                customer_id=customer.id,
                currency="EUR",
                amount_minor=12_000,
                issue_date=DAY,
                due_date=DAY,
            )
        )
        reminder = Reminder(
            customer_id=customer.id,
            run_date=DAY,
            stage="plan-confirmed",
            channel="email",
            language="en",
            invoices=ReminderInvoice.listing(["A-1"]),
        )
        session.add(reminder)
        session.flush()
        return reminder.id  # type: ignore[return-value]


def test_of_eight_posters_at_once_one_claims_the_card(engine: Engine) -> None:
    reminder = _reminder(engine)
    barrier, won = threading.Barrier(8), []

    def poster() -> None:
        barrier.wait()
        won.append(cards.claim(engine, reminder))

    threads = [threading.Thread(target=poster) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False] * 7 + [True]
    # claimed: the digest's thread leaves it out; posted: nobody may claim it again
    assert cards.without_card(engine, DAY, ["plan-confirmed"], 20).ids == []
    cards.attach(engine, reminder, "CDIGEST", "1.1")
    assert not cards.claim(engine, reminder)


def test_a_released_or_lapsed_claim_is_free_again(engine: Engine) -> None:
    reminder = _reminder(engine)
    assert cards.claim(engine, reminder) and not cards.claim(engine, reminder)
    cards.release(engine, reminder)  # Slack refused: the digest posts it instead
    assert cards.without_card(engine, DAY, ["plan-confirmed"], 20).ids == [reminder]
    assert cards.claim(engine, reminder)
    with unit_of_work(engine) as session:  # its poster died a minute ago, mid-post
        session.get(Reminder, reminder).card_claimed_until = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
    assert cards.without_card(engine, DAY, ["plan-confirmed"], 20).ids == [reminder]
    assert cards.claim(engine, reminder)
