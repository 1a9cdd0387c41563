"""Read-only viewers (`RELANCE_VIEWERS`): they look customers up and see the Home's figures,
and are refused anything that decides or changes."""

from __future__ import annotations

import json

from tests.support.blockkit import check_home
from tests.support.slack_fixtures import SlackWorld, reconfigure
from tests.support.slack_http import home_opened_event
from tests.support.slack_steps import ask

VIEWER = "UVIEWSALES"


def as_viewer(world: SlackWorld) -> None:
    reconfigure(world.runtime, viewers=(VIEWER,))


def test_a_viewer_may_look_a_customer_up_but_not_change_anything(world: SlackWorld) -> None:
    as_viewer(world)
    shown = ask(world, "customer Atelier", user=VIEWER)
    assert "Atelier Lefèvre" in json.dumps(shown, ensure_ascii=False)
    assert "Sorry" not in shown["text"]
    refused = ask(world, "pause Atelier", user=VIEWER)
    assert refused["text"].startswith("Sorry, you are not among the people who may")


def test_a_viewer_sees_the_figures_on_the_home_without_a_worklist(world: SlackWorld) -> None:
    as_viewer(world)
    body = home_opened_event(VIEWER)
    assert world.slack.post(body, content_type="application/json").status == 200
    view = world.fake.wait_for(lambda: world.fake.calls_to("views.publish"))[0].args["view"]
    check_home(view)
    text = json.dumps(view, ensure_ascii=False)
    assert "outstanding" in text and "My morning" not in text and "Settings" not in text
