"""The `relance` command: run the app, import invoices, show the demo, keep the database."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from datetime import date
from pathlib import Path

from bot import terminal
from bot.channels.letter import Letter, letter_filename, render_pdf
from bot.config import Settings, load_settings
from bot.db import make_engine, read_only, unit_of_work, upgrade
from bot.importing.mapping import MappingError, available_mappings, load_mapping
from bot.models import Reminder
from bot.runtime import build_runtime
from bot.services import audit, audit_checkpoint
from bot.services.aging_report import aging_report
from bot.services.audit_export import export_csv
from bot.services.errors import Invalid
from bot.services.importing import ImportFailed, import_invoices
from bot.services.outbox import deliver_due
from bot.services.payments import follow_up_payments


def _import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        mapping = load_mapping(args.mapping)
    except MappingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        report = import_invoices(
            engine,
            Path(args.file),
            mapping,
            actor=args.actor,
            fallback_timezone=settings.timezone,
            progress=sys.stderr.isatty(),
        )
    except ImportFailed as failed:
        print(f"error: {failed}", file=sys.stderr)
        return 1
    print("\n".join(terminal.import_lines(report)))
    runtime = build_runtime(settings, engine)
    follow_up = follow_up_payments(
        engine,
        runtime.composer,
        report.paid_in_full,
        runtime.company_today(runtime.now()),
        actor=args.actor,
    )
    if follow_up.cancelled or follow_up.thanks:
        print(
            f"{len(follow_up.cancelled)} pending reminders cancelled (paid); "
            f"{len(follow_up.thanks)} thank-you notes suggested."
        )
    return 0


def _report(settings: Settings, _args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        report = aging_report(session, date.today())
    print(terminal.heading("Aging"))
    print("\n".join(terminal.aging_lines(report)))
    print(terminal.heading("Largest overdue balances"))
    print("\n".join(terminal.top_overdue_lines(report)))
    return 0


def _send(settings: Settings, _args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    report = deliver_due(engine, settings, f"cli:{os.getpid()}")
    print(
        f"{len(report.sent)} sent, {len(report.retrying)} to retry, "
        f"{len(report.failed)} failed for good"
    )
    if report.paused_until is not None:
        print(f"sending paused until {report.paused_until.isoformat()}: the mail server refused")
        return 1
    return 0 if not report.failed else 1


def _audit_checkpoint(settings: Settings, args: argparse.Namespace) -> int:
    try:
        text = audit_checkpoint.take(make_engine(settings.database_url))
    except Invalid as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 1
    Path(args.output).write_text(text)
    print(f"checkpoint written to {args.output}: {text.strip()}")
    return 0


def _audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    with read_only(make_engine(settings.database_url)) as session:
        result = audit.verify(session)
        anchored = (
            audit_checkpoint.check(session, Path(args.checkpoint).read_text())
            if args.checkpoint
            else None
        )
    if result.ok and anchored:
        print(f"audit trail BROKEN: {anchored}", file=sys.stderr)
        return 1
    if result.ok:
        against = f", consistent with checkpoint {args.checkpoint}" if args.checkpoint else ""
        print(f"audit trail intact: {result.checked} events verified{against}")
        return 0
    print(
        f"audit trail BROKEN at event #{result.broken_seq}: {result.reason} "
        f"({result.checked} events verified before it)",
        file=sys.stderr,
    )
    return 1


def _audit_export(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    since = date.fromisoformat(args.since) if args.since else None
    until = date.fromisoformat(args.until) if args.until else None
    with contextlib.ExitStack() as stack:
        out = (
            stack.enter_context(open(args.output, "w", newline="", encoding="utf-8"))
            if args.output
            else sys.stdout
        )
        try:
            count = export_csv(engine, out, customer=args.customer, since=since, until=until)
        except Invalid as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"{count} events exported", file=sys.stderr)
    return 0


def _letter(settings: Settings, args: argparse.Namespace) -> int:
    with read_only(make_engine(settings.database_url)) as session:
        reminder = session.get(Reminder, args.reminder)
    if reminder is None or not reminder.letter_text:
        print(f"error: reminder {args.reminder} has no letter", file=sys.stderr)
        return 2
    output = Path(args.output or letter_filename(reminder.id))
    output.write_bytes(
        render_pdf(
            Letter.from_json(reminder.letter_text), settings.letter_font, settings.letter_bold_font
        )
    )
    print(f"letter written to {output}")
    return 0


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    upgrade(make_engine(settings.database_url))
    print("database is up to date")
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.slack.server import run_http, run_socket_mode

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    upgrade(make_engine(settings.database_url))
    if args.http:
        run_http(settings, args.port, workers=args.workers, threads=args.threads, host=args.host)
    else:
        run_socket_mode(settings)
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return run_demo(settings, Path(args.workdir))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relance", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    imp = commands.add_parser("import", help="import invoices from a CSV file (all or nothing)")
    imp.add_argument("file")
    imp.add_argument(
        "--mapping",
        default="relance",
        help=f"bundled mapping ({', '.join(available_mappings())}) or a TOML file",
    )
    imp.add_argument("--actor", default="import", help="who is recorded in the audit trail")
    imp.set_defaults(handler=_import)

    send = commands.add_parser("send", help="send the approved messages that are due, once")
    send.set_defaults(handler=_send)

    aud = commands.add_parser("audit", help="the audit trail")
    aud_commands = aud.add_subparsers(dest="audit_command", required=True)
    verify = aud_commands.add_parser("verify", help="walk the hash chain")
    verify.add_argument(
        "--checkpoint", help="a file from `relance audit checkpoint`: the head must still be there"
    )
    verify.set_defaults(handler=_audit_verify)
    checkpoint = aud_commands.add_parser(
        "checkpoint", help="write the chain's head, signed with RELANCE_AUDIT_KEY, to a file"
    )
    checkpoint.add_argument("--output", "-o", required=True, help="the checkpoint file")
    checkpoint.set_defaults(handler=_audit_checkpoint)
    export = aud_commands.add_parser("export", help="write the record as CSV")
    export.add_argument("--customer", help="a customer name or id")
    export.add_argument("--since", help="YYYY-MM-DD (UTC), inclusive")
    export.add_argument("--until", help="YYYY-MM-DD (UTC), inclusive")
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--output", "-o", help="a file (default: standard output)")
    export.set_defaults(handler=_audit_export)

    letter = commands.add_parser("letter", help="write a final-notice letter as PDF")
    letter.add_argument("reminder", type=int, help="the reminder's id")
    letter.add_argument("--output", "-o", help="the PDF file (default: final-notice-<id>.pdf)")
    letter.set_defaults(handler=_letter)

    rep = commands.add_parser("report", help="print the aging report")
    rep.set_defaults(handler=_report)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=_db_upgrade)

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

    demo = commands.add_parser("demo", help="the whole flow on sample data, no Slack needed")
    demo.add_argument("--workdir", default="var", help="where the demo database is written")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(load_settings(), args)


if __name__ == "__main__":
    raise SystemExit(main())
