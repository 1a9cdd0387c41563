"""The baseline for the click benchmark: a bolt app whose only handler acknowledges."""

from __future__ import annotations

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

app = App(
    client=WebClient(token="xoxb-bench", base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    token_verification_enabled=False,
)


@app.action("reminder_approve")
def only_ack(ack) -> None:  # type: ignore[no-untyped-def]
    ack()


application = SlackRequestHandler(app)
