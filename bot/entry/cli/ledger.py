"""Invoices and bank statements in: the ledger's exports, past contacts, bank files; the aging report out."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.channels.bank import compact_iban
from bot.config import Settings
from bot.db import make_engine
from bot.domain.calendar import local_today
from bot.entry import terminal
from bot.entry.cli._common import existing_engine, migrate_database
from bot.entry.composition import build_runtime
from bot.importing.mapping import (
    BANK_MAPPINGS_DIR,
    Mapping,
    MappingError,
    available_mappings,
    load_mapping,
)
from bot.rendering.staff_text import speaking
from bot.services import cash
from bot.services.accounts.payments import follow_up_payments
from bot.services.ledger.aging_report import read_aging_report
from bot.services.ledger.folder_import import import_folder
from bot.services.ledger.history import import_history
from bot.services.ledger.importing import ImportFailed, ImportReport, import_invoices


def _import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        mapping = load_mapping(args.mapping)
    except MappingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.watch:
        return _watch(settings, args, mapping)
    if not args.file:
        print("error: give a FILE to import, or --watch DIR", file=sys.stderr)
        return 2
    if not Path(args.file).is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    migrate_database(settings)
    try:
        report = import_invoices(
            engine,
            Path(args.file),
            mapping,
            actor=args.actor,
            fallback_timezone=settings.timezone,
            progress=sys.stderr.isatty(),
            allow_reassign=args.allow_reassign,
            allow_future=args.allow_future,
        )
    except ImportFailed as failed:
        print(f"error: {failed}", file=sys.stderr)
        return 1
    print("\n".join(terminal.import_lines(report)))
    _follow_up(settings, engine, report, args.actor)
    return 0


def _follow_up(settings: Settings, engine: Engine, report: ImportReport, actor: str) -> None:
    """What an import's payments change: pending reminders cancelled, thank-yous suggested."""
    runtime = build_runtime(settings, engine)
    follow_up = follow_up_payments(
        engine,
        runtime.composer,
        report.paid_in_full,
        runtime.company_today(runtime.now()),
        actor=actor,
    )
    if follow_up.cancelled or follow_up.thanks:
        print(
            f"{len(follow_up.cancelled)} pending reminders cancelled (paid); "
            f"{len(follow_up.thanks)} thank-you notes suggested."
        )


def _watch(settings: Settings, args: argparse.Namespace, mapping: Mapping) -> int:
    """Import each new file of a folder once (then `done/` or `failed/`), every `--every`
    seconds, or once with `--once` (for cron); each outcome told to the digest channel."""
    folder = Path(args.watch)
    if not folder.is_dir():
        print(f"error: no such folder: {folder}", file=sys.stderr)
        return 2
    from bot.slack.client import make_client
    from bot.slack.import_notice import post_import_notices

    engine = make_engine(settings.database_url)
    migrate_database(settings)
    client = make_client(settings) if settings.slack_bot_token else None

    def one_pass() -> bool:
        outcomes = import_folder(
            engine,
            folder,
            mapping,
            actor=args.actor,
            fallback_timezone=settings.timezone,
            allow_reassign=args.allow_reassign,
            bank=lambda path: _bank_import(settings, engine, path, "", None, args.actor),
            allow_future=args.allow_future,
        )
        for outcome in outcomes:
            print(outcome.summary(), file=sys.stdout if outcome.ok else sys.stderr)
            if outcome.report is not None:
                for disagreement in outcome.report.disagreements:
                    print(disagreement)
                _follow_up(settings, engine, outcome.report, args.actor)
        told = [o for o in outcomes if o.bank is None]  # a statement posted its own summary
        if told and client is not None and settings.digest_channel:
            with speaking(settings.locale):
                post_import_notices(client, settings.digest_channel, told)
        return all(o.ok for o in outcomes)

    if args.once:
        return 0 if one_pass() else 1
    while True:
        try:
            one_pass()
        except Exception:  # a database outage: the files stay where they are, tried again
            logging.getLogger(__name__).exception("import pass failed; next in %s s", args.every)
        time.sleep(args.every)


def _import_bank(settings: Settings, args: argparse.Namespace) -> int:
    """A bank statement (camt.053/054, MT940, OFX, or a CSV export with --mapping) matched to
    the open invoices; the summary and the lines to decide go to the digest channel."""
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return 2
    account = compact_iban(args.account) if args.account else ""
    if args.account and not account:
        print(f"error: {args.account!r} is not a valid IBAN", file=sys.stderr)
        return 2
    try:
        mapping = load_mapping(args.mapping, bank=True) if args.mapping else None
    except MappingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    migrate_database(settings)
    try:
        report = _bank_import(settings, engine, path, account, mapping, args.actor)
    except cash.BankFileError as failed:
        print(f"error: {failed}", file=sys.stderr)
        return 1
    except cash.BalanceChanged as changed:  # a payment recorded meanwhile: nothing was applied
        print(f"error: nothing imported: {changed}; import the file again", file=sys.stderr)
        return 1
    print(f"{path.name}: {terminal.bank_line(report)}")
    return 0


def _bank_import(
    settings: Settings,
    engine: Engine,
    path: Path,
    account: str,
    mapping: Mapping | None,
    actor: str,
) -> cash.BankImport:
    """Import one bank file and tell the digest channel (when Slack is configured)."""
    runtime = build_runtime(settings, engine)
    report = cash.import_bank_file(
        engine,
        path,
        policy=runtime.policy.cash,
        composer=runtime.composer,
        policies=runtime.governing(),
        run_date=runtime.company_today(runtime.now()),
        account=account,
        mapping=mapping,
        actor=actor,
    )
    if settings.slack_bot_token and settings.digest_channel:
        from bot.slack.cash_poster import post_bank_import
        from bot.slack.client import make_client

        with speaking(settings.locale):  # the team's language, as in the app
            post_bank_import(
                make_client(settings), runtime, settings.digest_channel, report, settings.locale
            )
    return report


def _import_history(settings: Settings, args: argparse.Namespace) -> int:
    if not Path(args.file).is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    migrate_database(settings)
    runtime = build_runtime(settings, engine)
    try:
        report = import_history(
            engine,
            Path(args.file),
            runtime.policy,
            runtime.company_today(runtime.now()),
            actor=args.actor,
        )
    except ImportFailed as failed:
        print(f"error: {failed}", file=sys.stderr)
        return 1
    print(
        f"{report.contacts} past contacts imported for {report.customers} customers; "
        f"{report.already_imported} already imported."
    )
    return 0


def _report(settings: Settings, _args: argparse.Namespace) -> int:
    report = read_aging_report(
        existing_engine(settings), local_today(datetime.now(UTC), settings.timezone)
    )
    print(terminal.heading("Aging"))
    print("\n".join(terminal.aging_lines(report, settings.locale)))
    print(terminal.heading("Largest overdue balances"))
    print("\n".join(terminal.top_overdue_lines(report, settings.locale)))
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = commands.add_parser("import", help="import invoices from a CSV file (all or nothing)")
    imp.add_argument("file", nargs="?", help="the file to import (or --watch DIR)")
    imp.add_argument(
        "--mapping",
        default="relance",
        help=f"bundled mapping ({', '.join(available_mappings())}) or a TOML file",
    )
    imp.add_argument("--actor", default="import", help="who is recorded in the audit trail")
    imp.add_argument(
        "--allow-reassign",
        action="store_true",
        help="let the file move known invoices to another customer (each move is audited)",
    )
    imp.add_argument(
        "--allow-future",
        action="store_true",
        help="accept invoices issued after today (refused otherwise, as typing errors)",
    )
    imp.add_argument(
        "--watch",
        metavar="DIR",
        help="import each new file dropped in DIR once, filing it in DIR/done or DIR/failed "
        "(with its error report) and telling the digest channel",
    )
    imp.add_argument("--once", action="store_true", help="with --watch: one pass, then exit")
    imp.add_argument("--every", type=float, default=60, help="with --watch: seconds between passes")
    imp.set_defaults(handler=_import)

    bank = commands.add_parser(
        "import-bank",
        help="import a bank statement (camt.053/054, MT940, OFX, or CSV with --mapping) and "
        "apply the payments it shows (all or nothing)",
    )
    bank.add_argument("file")
    bank.add_argument("--account", help="the account's IBAN, when the file does not say")
    bank.add_argument(
        "--mapping",
        help="a CSV export's bundled mapping "
        f"({', '.join(available_mappings(BANK_MAPPINGS_DIR))}) or a TOML file",
    )
    bank.add_argument("--actor", default="import", help="who is recorded in the audit trail")
    bank.set_defaults(handler=_import_bank)

    history = commands.add_parser(
        "import-history",
        help="import past contacts (date, customer, invoices, stage, channel, who, note) "
        "so the ladder continues where the team left off (all or nothing)",
    )
    history.add_argument("file")
    history.add_argument("--actor", default="import", help="who is recorded in the audit trail")
    history.set_defaults(handler=_import_history)

    rep = commands.add_parser("report", help="print the aging report")
    rep.set_defaults(handler=_report)
