"""What runs: the Slack app, the morning, the page alone, the demo, the start-up checks."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot import logs
from bot.config import Settings
from bot.db import make_engine
from bot.domain.calendar import local_today
from bot.entry import terminal
from bot.entry.cli._common import existing_engine, migrate_database
from bot.entry.composition import build_runtime
from bot.services.operations.settings_check import Finding, check_configuration, check_run


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.entry.server import run_http, run_socket_mode

    findings = check_run(settings, http=args.http)
    if logs.json_wanted():  # a log pipeline reads even the start-up's words as JSON lines
        logs.configure()
        for finding in findings:
            logging.getLogger("bot.settings").log(
                logging.ERROR if finding.fatal else logging.WARNING,
                "%s %s",
                finding.setting,
                finding.message,
            )
    else:
        _print_findings(findings)
    if any(f.fatal for f in findings):
        print(
            "relance run: fix the settings above (see .env.example); nothing was started.",
            file=sys.stderr,
        )
        return 2
    from bot.slack.client import verify_token

    logs.configure()
    if not _slack_lets_us_start(settings):
        return 2
    verify_token(settings)  # what /readyz reports: the token Slack accepted at the start
    migrate_database(settings)
    if args.http:
        run_http(settings, args.port, workers=args.workers, threads=args.threads, host=args.host)
    else:
        run_socket_mode(settings)
    return 0


def _slack_lets_us_start(settings: Settings) -> bool:
    """Slack's side named before the start, one line each: a missing scope or a digest
    channel without the bot is a warning (the rest works); a refused token stops the start."""
    from bot.slack.client import make_client
    from bot.slack.slack_check import slack_problems

    problems = slack_problems(make_client(settings), settings.digest_channel)
    for problem in problems:
        print(f"{'error' if problem.fatal else 'warning'}: {problem.text}", file=sys.stderr)
    if any(p.fatal for p in problems):
        print("relance run: nothing was started.", file=sys.stderr)
        return False
    return True


def _morning(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.calendar import holiday_name, is_business_day
    from bot.services.overview.morning import prepare

    today = local_today(datetime.now(UTC), settings.timezone)
    if not args.force and not is_business_day(today, settings.country):
        why = holiday_name(today, settings.country) or today.strftime("%A")
        print(
            f"{today.isoformat()} is not a business day in {settings.country} ({why}): "
            "nothing suggested (--force to run anyway)"
        )
        return 0
    if args.dry_run:  # reads only: never creates the database file
        engine = existing_engine(settings)
    else:
        migrate_database(settings)
        engine = make_engine(settings.database_url)
    runtime = build_runtime(settings, engine)
    now = runtime.now()
    morning = prepare(
        runtime, now, settings.digest_channel or "terminal", dry_run=args.dry_run, actor="cli"
    )
    title = "would be suggested (dry run: nothing stored)" if morning.dry_run else "suggested"
    print(terminal.heading(f"Morning of {morning.run_date}: {title}"))
    print("\n".join(terminal.decision_lines(morning.decisions)))
    print(terminal.heading("The digest"))
    print("\n".join(terminal.digest_lines(morning.digest, settings.locale)))
    return 0


def _page(settings: Settings, args: argparse.Namespace) -> int:
    from bot.entry.server import run_page_server

    logs.configure()
    migrate_database(settings)
    run_page_server(settings, args.port, args.host)
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.entry.demo import run_demo

    return run_demo(settings, Path(args.workdir))


def _check_slack(settings: Settings) -> int:
    """Slack's side of the set-up: the token, its scopes, the digest channel (one line each)."""
    from bot.slack.client import make_client
    from bot.slack.slack_check import slack_problems

    if not settings.slack_bot_token:
        print("error: SLACK_BOT_TOKEN is not set", file=sys.stderr)
        return 1
    problems = slack_problems(make_client(settings), settings.digest_channel)
    for problem in problems:
        print(f"error: {problem.text}", file=sys.stderr)
    if problems:
        return 1
    print(f"ok: the bot token has every scope Relance needs; it is in {settings.digest_channel}")
    return 0


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        kind = "error" if finding.fatal else "warning"
        print(f"{kind}: {finding.setting} {finding.message}", file=sys.stderr)


def _check(settings: Settings, args: argparse.Namespace) -> int:
    """Exactly what start-up checks, without starting: the settings, the placeholders, every
    policy and segment with the rules between them and the settings, and every template of
    every stage in every language compiled (bot/services/operations/settings_check.py); with --slack, Slack's
    side instead."""
    if args.slack:
        return _check_slack(settings)
    from bot.config import load_policy

    findings = check_configuration(settings)
    _print_findings(findings)
    if any(f.fatal for f in findings):
        return 1
    policy = load_policy(settings.policy_file)
    stages = ", ".join(s.name for s in policy.stages)
    print(f"ok: {len(policy.stages)} stages ({stages}); templates in {settings.templates_dir}")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = commands.add_parser("run", help="start the Slack app (Socket Mode unless --http)")
    run.add_argument("--http", action="store_true", help="serve Slack's HTTP requests")
    run.add_argument("--port", type=int, default=3000)
    run.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on in HTTP mode (0.0.0.0 to take traffic from a load balancer)",
    )
    run.add_argument("--workers", type=int, default=2, help="HTTP worker processes")
    run.add_argument("--threads", type=int, default=8, help="threads per HTTP worker")
    run.set_defaults(handler=_run)

    check = commands.add_parser(
        "check",
        help="run the start-up checks without starting: settings, policies and segments, "
        "every template compiled",
    )
    check.add_argument(
        "--slack",
        action="store_true",
        help="check Slack instead: the bot token's scopes and the digest channel",
    )
    check.set_defaults(handler=_check)

    morning = commands.add_parser(
        "morning", help="settle, suggest and print today's digest (the app posts the cards)"
    )
    morning.add_argument(
        "--dry-run", action="store_true", help="decide and print, but store nothing"
    )
    morning.add_argument(
        "--force", action="store_true", help="run on a weekend or holiday too (skipped by default)"
    )
    morning.set_defaults(handler=_morning)

    page = commands.add_parser("page", help="serve the customers' page alone")
    page.add_argument("--port", type=int, default=3001)
    page.add_argument("--host", default="127.0.0.1")
    page.set_defaults(handler=_page)

    demo = commands.add_parser("demo", help="the whole flow on sample data, no Slack needed")
    demo.add_argument("--workdir", default="var", help="where the demo database is written")
    demo.set_defaults(handler=_demo)
