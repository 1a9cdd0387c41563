"""The `relance` command: run the app, import invoices, show the demo, keep the database."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from bot import __version__, logs, terminal
from bot.channels.bank import compact_iban
from bot.config import Settings, load_settings
from bot.db import grant_app_role, make_engine, migrate, read_only, schema_is_current
from bot.domain.calendar import local_today
from bot.explain import explain
from bot.failures import Failure
from bot.importing.mapping import (
    BANK_MAPPINGS_DIR,
    Mapping,
    MappingError,
    available_mappings,
    load_mapping,
)
from bot.runtime import build_runtime
from bot.services import audit, audit_checkpoint, cash
from bot.services.aging_report import read_aging_report
from bot.services.audit_export import export_csv
from bot.services.errors import Invalid
from bot.services.folder_import import import_folder
from bot.services.history import import_history
from bot.services.importing import ImportFailed, ImportReport, import_invoices
from bot.services.letters import letter_pdf
from bot.services.outbox import deliver_due
from bot.services.payments import follow_up_payments
from bot.settings_check import Finding, check_configuration, check_run


class NotReady(Failure):
    """The database a read-only command was pointed at has not been set up."""


def _existing_engine(settings: Settings) -> Engine:
    """The database, if it exists and is migrated: a command that only reads must not create
    an empty SQLite file or fail on a missing table."""
    url = make_url(settings.database_url)
    is_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if is_file and not Path(str(url.database)).exists():
        raise NotReady(
            f"there is no database at {url.database} yet",
            "import invoices first (`relance import FILE`) or run `relance db upgrade`",
        )
    engine = make_engine(settings.database_url)
    if not schema_is_current(engine):
        raise NotReady(
            "the database has not been upgraded to this version", "run `relance db upgrade`"
        )
    return engine


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date as YYYY-MM-DD") from None


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
    _migrate(settings)
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
    _migrate(settings)
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
    _migrate(settings)
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

        post_bank_import(
            make_client(settings), engine, settings.digest_channel, report, settings.locale
        )
    return report


def _import_history(settings: Settings, args: argparse.Namespace) -> int:
    if not Path(args.file).is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    _migrate(settings)
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
        _existing_engine(settings), local_today(datetime.now(UTC), settings.timezone)
    )
    print(terminal.heading("Aging"))
    print("\n".join(terminal.aging_lines(report, settings.locale)))
    print(terminal.heading("Largest overdue balances"))
    print("\n".join(terminal.top_overdue_lines(report, settings.locale)))
    return 0


def _send(settings: Settings, _args: argparse.Namespace) -> int:
    engine = _existing_engine(settings)  # an older schema: told to run `relance db upgrade`
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
    from bot.services.inbox import Listening, fetch_mail

    if not settings.imap_host:
        print("error: IMAP_HOST is not set: there is no mailbox to read", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    _migrate(settings)
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
            engine, make_client(settings), settings.digest_channel, datetime.now(UTC)
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


def _audit_rotate_key(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.audit_keys import rotate_key

    try:
        rotated = rotate_key(_existing_engine(settings), args.actor)
    except Invalid as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 1
    print(
        f"key rotated at event #{rotated.seq}: key {rotated.from_key or '(none)'} → "
        f"{rotated.to_key}; keep the old key in RELANCE_AUDIT_OLD_KEYS to verify the history"
    )
    return 0


def _audit_checkpoint(settings: Settings, args: argparse.Namespace) -> int:
    try:
        text = audit_checkpoint.take(_existing_engine(settings))
    except Invalid as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 1
    Path(args.output).write_text(text)
    print(f"checkpoint written to {args.output}: {text.strip()}")
    return 0


def _audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    if args.checkpoint and not Path(args.checkpoint).is_file():
        print(f"error: no checkpoint file {args.checkpoint}", file=sys.stderr)
        return 2
    with read_only(_existing_engine(settings)) as session:
        result = audit.verify(session)
        anchored = (
            audit_checkpoint.check(session, Path(args.checkpoint).read_text())
            if args.checkpoint
            else None
        ) or audit_checkpoint.check_recorded(session)
    if result.broken_seq is None and anchored:
        print(f"audit trail BROKEN: {anchored}", file=sys.stderr)
        return 1
    if result.unverifiable_before is not None and result.broken_seq is None:
        print(
            f"audit trail UNVERIFIABLE before event #{result.unverifiable_before}: linked with "
            f"key(s) {', '.join(result.missing_keys)} not given (RELANCE_AUDIT_OLD_KEYS); "
            f"{result.checked} events verified",
            file=sys.stderr,
        )
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
    engine = _existing_engine(settings)
    with contextlib.ExitStack() as stack:
        out = (
            stack.enter_context(open(args.output, "w", newline="", encoding="utf-8"))
            if args.output
            else sys.stdout
        )
        try:
            count = export_csv(
                engine, out, customer=args.customer, since=args.since, until=args.until
            )
        except Invalid as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"{count} events exported", file=sys.stderr)
    return 0


def _letter(settings: Settings, args: argparse.Namespace) -> int:
    runtime = build_runtime(settings, _existing_engine(settings))
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
    from bot.services.late_charges import BadQuestion, calculate

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


def _rates_update(settings: Settings, _args: argparse.Namespace) -> int:
    """Exit 1 only when no table could be refreshed: a publisher down leaves its table as it
    was (said on one line) and the others are still worth writing."""
    from bot.channels.rates.publishers import sources
    from bot.rate_files import load_rates, save_fetched_rates
    from bot.services.rates_update import update_rates

    today = local_today(datetime.now(UTC), settings.timezone)
    update = update_rates(load_rates(settings), sources(settings, today), today)
    for line in update.failures:
        print(f"warning: {line}", file=sys.stderr)
    if not update.tables:
        print("error: no rate table could be refreshed; the ones in force stay", file=sys.stderr)
        return 1
    save_fetched_rates(settings.fetched_rates_file, update.tables)
    for key, table in sorted(update.tables.items()):
        print(
            f"{key}: {table.changes[-1][1]} % since {table.changes[-1][0]}, known to {table.as_of}"
        )
    print(f"written to {settings.fetched_rates_file}")
    return 0


def _rates_show(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.rate_files import load_rates

    for key, table in sorted(load_rates(settings).items()):
        print(f"{key}: {table.name}, known to {table.as_of}, last rate {table.changes[-1][1]} %")
        print(f"  source: {table.source}")
    return 0


def _migrate(settings: Settings) -> None:
    """Migrations run as the tables' owner (MIGRATION_DATABASE_URL, else DATABASE_URL)."""
    migrate(settings.database_url, settings.migration_database_url)


def _db_grant(settings: Settings, args: argparse.Namespace) -> int:
    owner = make_engine(settings.migration_database_url or settings.database_url)
    if owner.dialect.name != "postgresql":
        print("error: roles are PostgreSQL's; SQLite has none to grant", file=sys.stderr)
        return 2
    grant_app_role(owner, args.role)
    owner.dispose()
    print(f"{args.role} may now use the tables (the audit trail: read and append only)")
    return 0


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    _migrate(settings)
    print("database is up to date")
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.slack.server import run_http, run_socket_mode

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
    _migrate(settings)
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
    from bot.services.morning import prepare

    today = local_today(datetime.now(UTC), settings.timezone)
    if not args.force and not is_business_day(today, settings.country):
        why = holiday_name(today, settings.country) or today.strftime("%A")
        print(
            f"{today.isoformat()} is not a business day in {settings.country} ({why}): "
            "nothing suggested (--force to run anyway)"
        )
        return 0
    if args.dry_run:  # reads only: never creates the database file
        engine = _existing_engine(settings)
    else:
        _migrate(settings)
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
    from bot.slack.server import run_page_server

    logs.configure()
    _migrate(settings)
    run_page_server(settings, args.port, args.host)
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import run_demo

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
    every stage in every language compiled (bot/settings_check.py); with --slack, Slack's
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relance", description=__doc__)
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of a failure, not one line"
    )
    parser.add_argument("--version", action="version", version=f"relance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

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

    send = commands.add_parser("send", help="send the approved messages that are due, once")
    send.set_defaults(handler=_send)

    fetch = commands.add_parser(
        "fetch-mail", help="read the reply mailbox once (IMAP): replies, bounces, out-of-office"
    )
    fetch.set_defaults(handler=_fetch_mail)

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
    rotate = aud_commands.add_parser(
        "rotate-key",
        help="record that RELANCE_AUDIT_KEY replaces the key in RELANCE_AUDIT_OLD_KEYS (signed by both)",
    )
    rotate.add_argument("--actor", default="operator", help="who is recorded in the audit trail")
    rotate.set_defaults(handler=_audit_rotate_key)
    export = aud_commands.add_parser("export", help="write the record as CSV")
    export.add_argument("--customer", help="a customer name or id")
    export.add_argument("--since", type=_iso_date, help="YYYY-MM-DD (UTC), inclusive")
    export.add_argument("--until", type=_iso_date, help="YYYY-MM-DD (UTC), inclusive")
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--output", "-o", help="a file (default: standard output)")
    export.set_defaults(handler=_audit_export)

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

    rates = commands.add_parser("rates", help="the reference rates of statutory interest")
    rates_commands = rates.add_subparsers(dest="rates_command", required=True)
    rates_commands.add_parser(
        "update", help="fetch each table's series from its publisher"
    ).set_defaults(handler=_rates_update)
    rates_commands.add_parser("show", help="each table's last known date and source").set_defaults(
        handler=_rates_show
    )

    rep = commands.add_parser("report", help="print the aging report")
    rep.set_defaults(handler=_report)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=_db_upgrade)
    grant = db_commands.add_parser(
        "grant",
        help="give the app's PostgreSQL role its rights (as the owner: MIGRATION_DATABASE_URL)",
    )
    grant.add_argument("role", help="the role DATABASE_URL logs in as, e.g. relance_app")
    grant.set_defaults(handler=_db_grant)

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Every failure is one line naming its cause and its fix (bot/failures.py); `--debug`
    shows the traceback instead."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(load_settings(), args)
    except (Exception, KeyboardInterrupt) as exc:
        if args.debug:
            raise
        explained = explain(exc)
        print(f"error: {explained.line}", file=sys.stderr)
        return explained.code


if __name__ == "__main__":
    raise SystemExit(main())
