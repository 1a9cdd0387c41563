"""What goes out and comes back: the sender's pass, the reply mailbox, a letter, the statutory charges on a debt."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import Settings
from bot.db import make_engine
from bot.entry.cli._common import existing_engine, migrate_database
from bot.entry.composition import build_runtime
from bot.entry.explain import explain
from bot.failures import Failure
from bot.services.delivery.letters import letter_pdf
from bot.services.delivery.outbox import deliver_due


def _send(settings: Settings, _args: argparse.Namespace) -> int:
    engine = existing_engine(settings)  # an older schema: told to run `relance db upgrade`
    report = deliver_due(engine, settings, f"cli:{os.getpid()}")
    print(
        f"{len(report.sent)} sent, {len(report.retrying)} to retry, "
        f"{len(report.failed)} failed for good, "
        f"{len(report.cancelled)} not sent (overtaken: their cards say why)"
    )
    if report.paused_until is not None:
        print(f"sending paused until {report.paused_until.isoformat()}: the mail server refused")
        return 1
    return 0 if not report.failed else 1


def _fetch_mail(settings: Settings, _args: argparse.Namespace) -> int:
    """The reply mailbox read once (for cron), and what it brought posted to Slack when a
    bot token is configured (else the running app posts it)."""
    from imapclient import IMAPClient

    from bot.channels.imap import connect
    from bot.services.inbox.mailbox import Listening, fetch_mail

    if not settings.imap_host:
        print("error: IMAP_HOST is not set: there is no mailbox to read", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    migrate_database(settings)
    try:
        with connect(settings) as mailbox:
            report = fetch_mail(engine, mailbox, datetime.now(UTC), Listening.of(settings))
    except (OSError, IMAPClient.Error) as exc:
        raise _mailbox_failure(settings, exc) from exc
    print(
        f"{len(report.handled)} handled, {report.already_handled} handled before, "
        f"{len(report.failed)} failed (left in the mailbox for the next round)"
    )
    if settings.slack_bot_token:
        from bot.slack.client import make_client
        from bot.slack.inbox_poster import post_inbound

        posted = post_inbound(
            build_runtime(settings, engine),
            make_client(settings),
            settings.digest_channel,
            datetime.now(UTC),
        )
        print(f"{posted} posted to Slack")
    return 0 if not report.failed else 1


def _mailbox_failure(settings: Settings, exc: Exception) -> Failure:
    """The reply mailbox's server down, unknown, refusing TLS or the login, named."""
    from imapclient.exceptions import LoginError

    where = f"{settings.imap_host}:{settings.imap_port}"
    if isinstance(exc, LoginError):
        return Failure(
            f"the mail server {where} refused the login of {settings.imap_user!r}",
            "check IMAP_USER and IMAP_PASSWORD",
            1,
        )
    return Failure(
        f"the reply mailbox at {where} cannot be read ({explain(exc).cause})",
        "check that the server runs, and IMAP_HOST, IMAP_PORT and IMAP_SECURITY",
        1,
    )


def _letter(settings: Settings, args: argparse.Namespace) -> int:
    runtime = build_runtime(settings, existing_engine(settings))
    letter = letter_pdf(runtime.drafter(), settings, args.reminder)
    if letter is None:
        print(f"error: reminder {args.reminder} has no letter", file=sys.stderr)
        return 2
    output = Path(args.output or letter.filename)
    output.write_bytes(letter.content)
    print(f"letter written to {output}")
    return 0


def _late_charges(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from bot.rate_files import load_law_book, load_rates
    from bot.services.reminders.late_charges import BadQuestion, calculate

    laws = load_law_book(load_rates(settings))
    try:
        answer = calculate(
            laws, args.law, args.currency, args.amount, args.due, args.on, args.language
        )
    except (BadQuestion, LookupError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2 if isinstance(exc, BadQuestion) else 1
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(answer.lines()))
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    send = commands.add_parser("send", help="send the approved messages that are due, once")
    send.set_defaults(handler=_send)

    fetch = commands.add_parser(
        "fetch-mail", help="read the reply mailbox once (IMAP): replies, bounces, out-of-office"
    )
    fetch.set_defaults(handler=_fetch_mail)

    letter = commands.add_parser("letter", help="write a final-notice letter as PDF")
    letter.add_argument("reminder", type=int, help="the reminder's id")
    letter.add_argument(
        "--output",
        "-o",
        help="the PDF file (default: the letter's own name in its language and the id, "
        "e.g. mise-en-demeure-12.pdf, final-notice-12.pdf; the command prints it)",
    )
    letter.set_defaults(handler=_letter)

    charges = commands.add_parser(
        "late-charges", help="statutory interest and compensation on one debt, by governing law"
    )
    charges.add_argument("--law", required=True, help="the governing law's country (FR, DE, GB…)")
    charges.add_argument("--currency", required=True, help="the debt's currency (EUR, GBP…)")
    charges.add_argument("--amount", required=True, help="the debt, e.g. 1234.56")
    charges.add_argument("--due", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    charges.add_argument("--on", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    charges.add_argument("--language", default="en", help="language of the citation (en, fr…)")
    charges.add_argument("--json", action="store_true", help="machine-readable output")
    charges.set_defaults(handler=_late_charges)
