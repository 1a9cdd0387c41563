"""What a stranger holding a page link can cost (issue 25, findings 6 and 8): views that write
once an hour at most, scanners' prefetches told from people, a post rate shared by every
process, and control characters refused with the page's own error."""

from __future__ import annotations

from datetime import timedelta
from urllib.request import Request

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.db import read_only, unit_of_work
from bot.entry.server import wsgi_app
from bot.models import AuditEvent, Outbox, Reminder
from tests.support.page_world import CARD_TS, PageWorld, _opener, http
from tests.support.slack_http import serve

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFE_LINKS = "Mozilla/4.0 (compatible; ms-office; MSOffice 16)"


def fetch(url: str, method: str = "GET", agent: str = BROWSER, cookie: str = "") -> int:
    request = Request(url, method=method, headers={"User-Agent": agent})
    if cookie:
        request.add_header("Cookie", cookie)
    with _opener.open(request, timeout=30) as response:
        response.read()
        return response.status


def event_count(world: PageWorld) -> int:
    with read_only(world.engine) as session:
        return session.exec(sa.select(sa.func.count()).select_from(AuditEvent)).one()[0]


def card_updates(world: PageWorld) -> list:
    return [c for c in world.fake.calls_to("chat.update") if c.args["ts"] == CARD_TS]


def test_head_and_repeated_gets_write_one_view_an_hour(page_world: PageWorld) -> None:
    url = page_world.link("A")
    before = event_count(page_world)
    for _ in range(5):
        assert fetch(url, "HEAD") == 200
    assert event_count(page_world) == before  # a HEAD writes nothing
    for _ in range(300):
        assert fetch(url) == 200
    assert len(page_world.events("page_view")) == 1
    assert event_count(page_world) == before + 1
    page_world.fake.wait_for(lambda: card_updates(page_world))
    assert len(card_updates(page_world)) == 1  # the card refreshed once, not 300 times
    later = page_world.runtime.now() + timedelta(minutes=61)
    page_world.runtime.clock = lambda: later
    assert fetch(url) == 200
    assert len(page_world.events("page_view")) == 2  # the next hour's view counts again


@pytest.mark.parametrize("agent", [SAFE_LINKS, "Barracuda Sentinel (EE)", ""])
def test_a_scanners_fetch_is_a_prefetch_and_the_card_shows_no_view(
    page_world: PageWorld, agent: str
) -> None:
    url = page_world.link("A")
    for _ in range(3):
        assert fetch(url, agent=agent) == 200
    assert len(page_world.events("page_prefetch")) == 1
    assert page_world.events("page_view") == []
    assert fetch(url, cookie="relance_visited=1") == 200  # then the customer opens it
    assert len(page_world.events("page_view")) == 1
    page_world.fake.wait_for(lambda: card_updates(page_world))


def test_a_first_fetch_within_seconds_of_the_email_is_a_prefetch(page_world: PageWorld) -> None:
    now = page_world.runtime.now()
    with unit_of_work(page_world.engine) as session:
        reminder = session.exec(select(Reminder)).one()
        session.add(
            Outbox(
                reminder_id=reminder.id,
                channel="email",
                state="sent",
                sent_at=now - timedelta(seconds=5),
            )
        )
    url = page_world.link("A")
    assert fetch(url) == 200  # no cookie, five seconds after the e-mail left
    assert len(page_world.events("page_prefetch")) == 1 and page_world.events("page_view") == []
    assert fetch(url, cookie="relance_visited=1") == 200  # a returning browser is a person
    assert len(page_world.events("page_view")) == 1


def test_the_post_rate_is_shared_by_every_process(page_world: PageWorld) -> None:
    """Two servers on one database, as two workers or instances are: twenty posts a minute
    per link between them, not twenty each."""
    other, stop = serve(wsgi_app(page_world.runtime, background=False))
    try:
        url = page_world.link("A")
        second = other.removesuffix("/slack/events") + url.split(page_world.base, 1)[1]
        csrf = page_world.csrf(url)
        statuses = [
            http(
                "POST",
                f"{target}/paid",
                {"csrf": csrf, "paid_on": page_world.today.isoformat(), "amount": f"{n + 1}"},
            ).status
            for n in range(30)
            for target in (url, second)
        ]
    finally:
        stop()
    assert statuses.count(303) == 20 and statuses.count(429) == 40
    assert len(page_world.events("page_paid")) == 20


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\u202e"])
@pytest.mark.parametrize(
    ("action", "field", "form"),
    [
        ("promise", "invoice", {"invoice": "F-101{}", "date": "2026-01-01"}),
        ("dispute", "invoice", {"invoice": "F-10{}1", "reason": "other", "text": "x"}),
        ("dispute", "text", {"invoice": "F-101", "reason": "other", "text": "a{}b"}),
        ("paid", "reference", {"paid_on": "2026-01-01", "amount": "1", "reference": "{}"}),
        ("plan", "instalments", {"instalments": "3{}"}),
        ("contact", "email", {"contact_name": "J", "email": "j{}@a.example", "phone": ""}),
    ],
)
def test_a_control_character_in_any_field_gets_the_pages_400(
    page_world: PageWorld, char: str, action: str, field: str, form: dict[str, str]
) -> None:
    url = page_world.link("A")
    filled = {k: v.replace("{}", char) for k, v in form.items()}
    answer = page_world.post(url, action, {**filled, "lang": "en"})
    assert answer.status == 400
    assert "characters we cannot accept" in answer.body
    assert page_world.news() == []
