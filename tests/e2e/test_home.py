"""The App Home tab end to end: an `app_home_opened` event in, a valid Home view out."""

from __future__ import annotations

import json

from bot.services.overview.home import home
from bot.slack.client import make_client
from bot.slack.digest_poster import post_daily_digest
from tests.support.blockkit import check_home
from tests.support.slack_fixtures import APPROVER, STRANGER, SlackWorld
from tests.support.slack_http import home_opened_event


def home_opened(world: SlackWorld, user: str) -> int:
    return world.slack.post(home_opened_event(user), content_type="application/json").status


def test_home_shows_the_ledger_to_approvers(world: SlackWorld) -> None:
    assert post_daily_digest(
        world.runtime, make_client(world.runtime.settings), world.runtime.now(), "instance-1"
    )
    assert home_opened(world, APPROVER) == 200
    published = world.fake.wait_for(lambda: world.fake.calls_to("views.publish"))[0].args
    assert published["user_id"] == APPROVER
    view = published["view"]
    check_home(view)
    text = json.dumps(view, ensure_ascii=False)
    assert "outstanding" in text and "DSO (countback)" in text and "█" in text
    assert "3* reminders await a decision today" in text
    assert "Open today's digest" in text


def test_home_tells_strangers_whom_to_ask(world: SlackWorld) -> None:
    assert home_opened(world, STRANGER) == 200
    view = world.fake.wait_for(lambda: world.fake.calls_to("views.publish"))[0].args["view"]
    check_home(view)
    assert "Ask one of them for access" in json.dumps(view)


def test_home_figures(world: SlackWorld) -> None:
    figures = home(world.engine, world.runtime.company_today(world.runtime.now()), APPROVER)
    eur = next(c for c in figures.currencies if c.currency == "EUR")
    assert eur.outstanding == eur.overdue  # the sample invoices are all late
    assert eur.dso is not None and eur.dso > 0
