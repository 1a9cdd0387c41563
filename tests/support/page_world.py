"""The customer's page as a test talks to it: the whole app (Slack endpoints and the page)
served on loopback, a small ledger, customer A's card posted in a thread of the digest
channel, and the fake Slack Web API recording what the page posts there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPRedirectHandler, Request, build_opener

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import read_only, unit_of_work
from bot.entry.composition import build_runtime, next_business_morning
from bot.entry.server import wsgi_app
from bot.models import AuditEvent, Reminder, ReminderInvoice
from bot.services.common.context import Runtime
from bot.services.page import page_links
from tests.support.fake_slack import FakeSlack
from tests.support.page import TODAY, page_customers
from tests.support.slack_fixtures import SECRET, reconfigure, slack_settings
from tests.support.slack_http import SignedSlack, serve

PAGE_SECRET = "page-secret-for-tests"
CARD_CHANNEL, CARD_TS = "CDIGEST", "1764150000.000200"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *_args: object) -> None:  # type: ignore[override]
        return None


_opener = build_opener(_NoRedirect)


def http(
    method: str, url: str, form: dict[str, str] | None = None, raw: str | None = None
) -> Answer:
    """`raw`: a form body as written (a field repeated, as ticked boxes send it)."""
    data = (
        raw.encode() if raw is not None else urlencode(form).encode() if form is not None else None
    )
    request = Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with _opener.open(request, timeout=30) as response:
            return Answer(response.status, response.read().decode(), dict(response.headers))
    except HTTPError as exc:  # urllib raises for 3xx-5xx: the answer is in the error
        return Answer(exc.code, exc.read().decode(), dict(exc.headers))


@dataclass
class PageWorld:
    fake: FakeSlack
    slack: SignedSlack
    runtime: Runtime
    base: str  # http://127.0.0.1:port
    customers: dict[str, int]

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    @property
    def today(self) -> date:
        return TODAY

    def link(self, customer: str = "A") -> str:
        return page_links.page_url(
            self.engine, self.runtime.settings, self.customers[customer], self.runtime.now()
        )

    def csrf(self, url: str) -> str:
        return CSRF.search(http("GET", url).body).group(1)

    def post(self, url: str, action: str, form: dict[str, str], csrf: bool = True) -> Answer:
        fields = {**({"csrf": self.csrf(url)} if csrf else {}), **form}
        return http("POST", f"{url.split('?')[0]}/{action}", fields)

    def events(self, kind: str) -> list[AuditEvent]:
        with read_only(self.engine) as session:
            return list(session.exec(select(AuditEvent).where(AuditEvent.kind == kind)).all())

    def news(self) -> list[dict]:
        return [c.args for c in self.fake.calls_to("chat.postMessage")]


@pytest.fixture
def page_world(engine: Engine, tmp_path: Path) -> Iterator[PageWorld]:
    fake = FakeSlack()
    settings = slack_settings(fake, page_secret=PAGE_SECRET, public_url="http://127.0.0.1:1")
    morning = next_business_morning(TODAY, settings)
    runtime = build_runtime(settings, engine, clock=lambda: morning)
    url, stop = serve(wsgi_app(runtime, background=False))
    base = url.removesuffix("/slack/events")
    reconfigure(runtime, public_url=base)
    customers = page_customers(engine, tmp_path)
    with unit_of_work(engine) as session:
        session.add(
            Reminder(
                customer_id=customers["A"],
                run_date=TODAY,
                stage="firm",
                channel="email",
                language="fr",
                invoices=ReminderInvoice.listing(["F-101", "F-102"]),
                slack_channel=CARD_CHANNEL,
                slack_ts=CARD_TS,
            )
        )
    yield PageWorld(fake, SignedSlack(url, SECRET), runtime, base, customers)
    stop()
    fake.close()
