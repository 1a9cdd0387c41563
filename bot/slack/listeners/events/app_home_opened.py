"""The Home tab, rebuilt from the database each time someone opens it."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.services import digest as digests
from bot.services.home import home
from bot.slack.access import Role
from bot.slack.blocks.home import home_view
from bot.slack.deps import Deps
from bot.slack.ids import OPEN_DIGEST

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict) -> None:
        if event.get("tab") != "home":
            return
        user = event["user"]
        if not deps.approvers.allows(user, Role.APPROVER):
            view = {
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
            deps.client.views_publish(user_id=user, view=view)
            return
        today = deps.today()
        channel = deps.runtime.settings.digest_channel
        url = None
        ts = digests.digest_thread(deps.runtime.engine, today, channel) if channel else None
        if ts:
            try:
                url = deps.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
            except SlackApiError as exc:
                log.warning("no permalink for today's digest: %s", exc.response.get("error"))
        figures = home(deps.runtime.engine, today, user)
        deps.client.views_publish(
            user_id=user,
            view=home_view(
                figures,
                deps.runtime.settings.locale,
                url,
                lead=deps.approvers.allows(user, Role.LEAD),
            ),
        )

    @app.action(OPEN_DIGEST)
    def link_clicked(ack: Ack) -> None:
        ack()  # a link button: Slack opens the URL, the app only acknowledges
