"""The written record: verify the chain, sign its head, rotate the key, export it."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from bot.config import Settings
from bot.db import read_only
from bot.entry.cli._common import existing_engine, iso_date
from bot.services import audit
from bot.services.audit import checkpoint as audit_checkpoint
from bot.services.audit.export import export_csv
from bot.services.common.errors import Invalid


def _audit_rotate_key(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.audit.keys import rotate_key

    try:
        rotated = rotate_key(existing_engine(settings), args.actor)
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
        text = audit_checkpoint.take(existing_engine(settings))
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
    with read_only(existing_engine(settings)) as session:
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
    engine = existing_engine(settings)
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


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    export.add_argument("--since", type=iso_date, help="YYYY-MM-DD (UTC), inclusive")
    export.add_argument("--until", type=iso_date, help="YYYY-MM-DD (UTC), inclusive")
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--output", "-o", help="a file (default: standard output)")
    export.set_defaults(handler=_audit_export)
