"""The periodic work of an instance: the digest clock, the sender, approval by policy, recovery of
acknowledged work, the settings refresh and the reply mailbox, each on its own ticker."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App

from bot.channels.imap import connect
from bot.domain.inbound import Kind
from bot.entry.scheduler import Ticker
from bot.rendering.staff_text import speaking
from bot.services.delivery.outbox import deliver_due
from bot.services.inbox.mailbox import Listening, fetch_mail
from bot.services.operations import metrics
from bot.services.reminders import decisions
from bot.slack import journal
from bot.slack.deps import Deps
from bot.slack.digest_poster import post_daily_digest
from bot.slack.inbox_poster import post_inbound
from bot.slack.outbox_alerts import post_outbox_alert

log = logging.getLogger(__name__)
DIGEST_CHECK_SECONDS = 30
OUTBOX_CHECK_SECONDS = 10
AUTO_APPROVAL_SECONDS = 30
RECOVERY_CHECK_SECONDS = 10
FAILING = (Kind.BOUNCE, Kind.LEFT_COMPANY)  # inbound kinds that change what a card says


def _approve_by_policy(deps: Deps) -> None:
    approved = decisions.approve_by_policy(deps.runtime.drafter(), deps.runtime.now())
    deps.cards.refresh(approved, deps.today())


def _send_and_show(deps: Deps) -> None:
    runtime = deps.runtime
    report = deliver_due(
        runtime.engine,
        runtime.settings,
        deps.instance,
        now=runtime.now(),
        policies=runtime.governing(),
    )
    metrics.count_delivery(report)
    post_outbox_alert(deps.client, deps.runtime.settings.digest_channel, report)
    deps.cards.refresh(report.touched, deps.today())


SETTINGS_REFRESH_SECONDS = 60


def read_mailbox(deps: Deps) -> None:
    """The reply mailbox read once, then whatever is not yet in Slack posted (also what an
    earlier round recorded but could not post)."""
    runtime = deps.runtime
    try:
        with connect(runtime.settings) as mailbox:
            listening = Listening.of(runtime.settings)
            report = fetch_mail(runtime.engine, mailbox, runtime.now(), listening)
        metrics.count_inbox(report)
        if report.failed:
            log.warning("inbox: %s message(s) left for the next round", len(report.failed))
        failing = [h.reminder_id for h in report.handled if h.reminder_id and h.kind in FAILING]
        deps.cards.refresh(failing, deps.today())  # the card shows the failing address
    finally:
        post_inbound(
            runtime,
            deps.client,
            runtime.settings.digest_channel,
            runtime.now(),
            deps.cards,
        )


def start_background(deps: Deps, app: App) -> list[Ticker]:
    """The periodic work of an instance; like work after `ack()`, it lets requests in flight
    be answered first (see `RequestGate`). `app` dispatches again the clicks and forms other
    workers acknowledged and died before doing (bot/slack/journal.py)."""

    def quietly(work: Callable[[], object]) -> Callable[[object], None]:
        def run(_now: object) -> None:
            deps.gate.wait_quiet()
            with speaking(deps.runtime.settings.locale):
                work()

        return run

    tickers = [
        Ticker("settings", SETTINGS_REFRESH_SECONDS, quietly(deps.runtime.refresh)),
        Ticker(
            "digest-clock",
            DIGEST_CHECK_SECONDS,
            quietly(
                lambda: post_daily_digest(
                    deps.runtime, deps.client, deps.runtime.now(), deps.instance
                )
            ),
        ),
        Ticker("outbox", OUTBOX_CHECK_SECONDS, quietly(lambda: _send_and_show(deps))),
        Ticker("auto-approval", AUTO_APPROVAL_SECONDS, quietly(lambda: _approve_by_policy(deps))),
        Ticker(
            "recovery",
            min(RECOVERY_CHECK_SECONDS, deps.runtime.settings.recovery_seconds / 2),
            quietly(
                lambda: journal.recover(
                    app,
                    deps.runtime,
                    deps.client,
                    deps.instance,
                    deps.runtime.settings.recovery_seconds,
                )
            ),
        ),
    ]
    if deps.runtime.settings.imap_host:
        tickers.append(
            Ticker(
                "inbox",
                deps.runtime.settings.imap_poll_seconds,
                quietly(lambda: read_mailbox(deps)),
            )
        )
    for ticker in tickers:
        ticker.start()
    return tickers
