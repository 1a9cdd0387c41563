"""The bolt App factory: one place that wires listeners to the shared pieces.

`process_before_response` stays off: every handler calls `ack()` first, Slack gets its answer
within its three seconds, and the slow work goes on in bolt's worker threads. Bolt's default
pool has five threads: a burst of clicks would wait behind earlier clicks' slow work before even
being acknowledged, so the pool is sized for bursts. Each listener runs in the context of the request that
started it, so that its work after `ack()` belongs to the request's journal entry.
"""

from __future__ import annotations

import logging
import os
import socket

from slack_bolt import App
from slack_sdk import WebClient

from bot.services.common.context import Runtime
from bot.slack import request_checks
from bot.slack.access import Approvers
from bot.slack.cards import CardPublisher
from bot.slack.client import make_client
from bot.slack.deps import Deps
from bot.slack.journal import ContextPool
from bot.slack.listeners.actions import (
    approve,
    approve_all,
    cash_line,
    edit,
    held_back,
    inbound_assign,
    inbound_confirm,
    inbound_copies,
    inbound_dispute,
    inbound_paid,
    inbound_promise,
    inbound_reply,
    inbound_resume,
    legal_part,
    letter,
    log_call,
    open_settings,
    page_news,
    skip,
    worklist,
)
from bot.slack.listeners.commands import relance
from bot.slack.listeners.events import app_home_opened
from bot.slack.listeners.views import (
    call_logged,
    edit_submitted,
    inbound_assign_submitted,
    inbound_dispute_submitted,
    inbound_promise_submitted,
    reply_submitted,
    settings_submitted,
    skip_submitted,
)

LISTENER_THREADS = 32
LISTENERS = (
    approve,
    approve_all,
    edit,
    log_call,
    skip,
    relance,
    call_logged,
    edit_submitted,
    skip_submitted,
    app_home_opened,
    open_settings,
    settings_submitted,
    letter,
    legal_part,
    worklist,
    held_back,
    page_news,
    inbound_resume,
    inbound_reply,
    reply_submitted,
    inbound_dispute,
    inbound_promise,
    inbound_paid,
    inbound_copies,
    inbound_dispute_submitted,
    inbound_promise_submitted,
    inbound_assign,
    inbound_assign_submitted,
    cash_line,
    inbound_confirm,
)


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def create_app(
    runtime: Runtime, client: WebClient | None = None, *, socket_mode: bool = False
) -> tuple[App, Deps]:
    client = client or make_client(runtime.settings)
    app = App(
        client=client,
        signing_secret=runtime.settings.slack_signing_secret,
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,
        logger=logging.getLogger("bot.slack.bolt"),
        listener_executor=ContextPool(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )
    deps = Deps(
        runtime=runtime,
        client=client,
        approvers=Approvers(runtime.fresh_settings, client),
        cards=CardPublisher(runtime.drafter, client),
        instance=instance_name(),
    )
    request_checks.register(app, deps)
    for listener in LISTENERS:
        listener.register(app, deps)
    return app, deps
