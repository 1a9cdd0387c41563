"""Authority is read fresh: an approver a lead removes on one instance is refused on every
other instance at the very next click, not after a refresh interval."""

from __future__ import annotations

from bot.db import make_engine
from bot.entry.composition import build_runtime
from bot.entry.server import wsgi_app
from bot.services.operations.app_settings import current
from bot.slack.blocks.card import APPROVE
from tests.support.slack_fixtures import APPROVER, OTHER_APPROVER, SECRET, SlackWorld
from tests.support.slack_http import SignedSlack, serve
from tests.support.slack_steps import ephemerals, post_digest, reminder


def test_a_removed_approver_is_refused_at_once_on_another_instance(world: SlackWorld) -> None:
    first = post_digest(world)[0]
    other = build_runtime(
        world.runtime.base_settings,
        make_engine(world.engine.url.render_as_string(hide_password=False)),
        clock=world.runtime.clock,
    )
    url, stop = serve(wsgi_app(other, background=False))  # no periodic refresh at all
    try:
        values = current(world.runtime.settings, world.runtime.policy)
        world.runtime.change_settings({**values, "approvers": ["UNEWCOMER"]}, OTHER_APPROVER)
        SignedSlack(url, SECRET).click(
            APPROVE, str(first.id), user=APPROVER, response_url=world.fake.response_url()
        )
        text = world.fake.wait_for(lambda: ephemerals(world))[0]
    finally:
        stop()
        other.engine.dispose()
    assert "not among the people who may approve" in text
    assert reminder(world, first.id).state == "suggested"
