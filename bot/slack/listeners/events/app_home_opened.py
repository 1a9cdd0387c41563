"""The Home tab, rebuilt from the database each time someone opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack.deps import Deps
from bot.slack.home_publisher import publish_home


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        publish_home(deps, event["user"])

    @app.action("open_digest")
    def link_clicked(ack: Ack) -> None:
        ack()  # a link button: Slack opens the URL, the app only acknowledges
