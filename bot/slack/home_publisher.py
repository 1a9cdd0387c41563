"""Publishing someone's Home tab: my morning (a page of my worklist, or nobody's), the team's
progress for a lead, the bank payments waiting for them, then the ledger at a glance. Rebuilt from the database each time."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.domain.worklist import one_by_one, stage_titles
from bot.rendering.staff_text import language
from bot.services import cash
from bot.services.overview import digest as digests
from bot.services.overview.home import home
from bot.services.overview.worklists import NOBODY, progress, worklist
from bot.slack.blocks.cash import HOME_CARDS, home_cards
from bot.slack.blocks.home import home_view
from bot.slack.blocks.worklist import worklist_blocks
from bot.slack.deps import Deps

log = logging.getLogger(__name__)

MINE, NOBODYS = "mine", "nobody"


def _stranger_view(deps: Deps) -> dict[str, Any]:
    return {
        "type": "home",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "Relance shows the ledger to the people allowed to chase it. "
                    f"Ask one of them for access: {deps.approvers.who()}.",
                },
            }
        ],
    }


def read_place(metadata: str) -> tuple[str, int]:
    """The (scope, page) a Home view was showing, from its private metadata or a pager."""
    scope, _, page = metadata.partition("|")
    return (scope if scope in (MINE, NOBODYS) else MINE), (int(page) if page.isdigit() else 0)


def publish_home(deps: Deps, user: str, scope: str = MINE, page: int = 0) -> None:
    if not deps.approvers.may_view(user):
        deps.client.views_publish(user_id=user, view=_stranger_view(deps))
        return
    decides = deps.approvers.may_decide(user)
    runtime = deps.runtime
    today = deps.today()
    channel = runtime.settings.digest_channel
    url = None
    ts = digests.digest_thread(runtime.engine, today, channel) if channel else None
    if ts:
        try:
            url = deps.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except SlackApiError as exc:
            log.warning("no permalink for today's digest: %s", exc.response.get("error"))
    lead = deps.approvers.is_lead(user)
    morning: list[dict[str, Any]] = []
    if decides:  # a viewer sees the figures, with nothing to decide
        mine = worklist(
            runtime.engine,
            today,
            user if scope == MINE else NOBODY,
            [s.name for s in runtime.policy.stages],
            page,
            legal_stages=one_by_one(*runtime.policies()),
        )
        page = mine.page
        morning = worklist_blocks(
            mine,
            runtime.settings.locale,
            stage_titles(*runtime.policies(), language=language()),
            progress(runtime.engine, today) if lead else None,
        ) + home_cards(cash.waiting_for(runtime.engine, user, HOME_CARDS), runtime.settings.locale)
    view = home_view(
        home(runtime.engine, today, user), runtime.settings.locale, url, lead=lead, top=morning
    )
    view["private_metadata"] = f"{scope}|{page}"
    deps.client.views_publish(user_id=user, view=view)
