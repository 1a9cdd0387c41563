"""The Slack app as a test talks to it: served on loopback, its Web API calls recorded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.entry.composition import build_runtime, next_business_morning
from bot.entry.server import wsgi_app
from bot.importing.mapping import load_mapping
from bot.services.common.context import Runtime
from bot.services.ledger.importing import import_invoices
from tests.support.csvfiles import line, write_csv
from tests.support.fake_slack import FakeSlack
from tests.support.slack_http import SignedSlack, serve

SECRET = "test-signing-secret"
APPROVER, OTHER_APPROVER, GROUP_MEMBER, STRANGER = "UAPPROVE1", "UAPPROVE2", "UGROUP1", "USTRANGE"


@dataclass
class SlackWorld:
    fake: FakeSlack
    slack: SignedSlack
    runtime: Runtime

    @property
    def engine(self) -> Engine:
        return self.runtime.engine


def slack_settings(fake: FakeSlack, **overrides: object) -> Settings:
    return Settings(
        **{
            "slack_bot_token": "xoxb-test",
            "slack_signing_secret": SECRET,
            "slack_api_url": fake.api_url,
            "digest_channel": "CDIGEST",
            "approvers": (APPROVER, OTHER_APPROVER),
            "approver_groups": ("SCOLLECT",),
            "leads": (OTHER_APPROVER,),
            "mail_token_secret": "test-mail-secret",
            **overrides,
        }
    )


def sample_ledger(engine: Engine, tmp_path: Path, today: date) -> None:
    """Three late customers, one of them with a name that tries to ping the channel."""
    from datetime import timedelta

    def due(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    rows = [
        line(customer_id="A", invoice_number="A-1", due_date=due(20), issue_date=due(50)),
        line(
            customer_id="B",
            customer_name="<!channel> & Co",
            contact_name="Bob",
            language="en",
            country="GB",
            timezone="Europe/London",
            currency="GBP",
            invoice_number="B-1",
            due_date=due(40),
            issue_date=due(70),
        ),
        line(
            customer_id="C",
            customer_name="Brasserie Van den Berg",
            invoice_number="C-1",
            country="BE",
            timezone="Europe/Brussels",
            due_date=due(10),
            issue_date=due(40),
        ),
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Iterator[SlackWorld]:
    fake = FakeSlack()
    fake.groups["SCOLLECT"] = [GROUP_MEMBER]
    settings = slack_settings(fake)
    morning = next_business_morning(datetime.now(UTC).date(), settings)
    runtime = build_runtime(settings, engine, clock=lambda: morning)
    url, stop = serve(wsgi_app(runtime, background=False))
    today = morning.date()
    sample_ledger(engine, tmp_path, today)
    yield SlackWorld(fake, SignedSlack(url, SECRET), runtime)
    stop()
    fake.close()


def reconfigure(runtime: Runtime, **changes: object) -> None:
    """Change the environment's settings of a running app, as a restart with another `.env`
    would: the base the leads' changes apply over, and the settings in force."""
    runtime.base_settings = replace(runtime.base_settings, **changes)
    runtime.settings = replace(runtime.settings, **changes)
