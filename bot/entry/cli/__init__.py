"""The `relance` command: run the app, import invoices, show the demo, keep the database."""

# One module per command group (ledger, mail, audit, rates, database, running); each adds its
# commands to the parser built here.

from __future__ import annotations

import argparse
import sys

from bot import __version__
from bot.config import load_settings
from bot.entry.cli import audit, database, ledger, mail, rates, running
from bot.entry.explain import explain

GROUPS = (ledger, mail, audit, rates, database, running)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relance", description=__doc__)
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of a failure, not one line"
    )
    parser.add_argument("--version", action="version", version=f"relance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Every failure is one line naming its cause and its fix (bot/failures.py); `--debug`
    shows the traceback instead."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(load_settings(), args)
        return code
    except (Exception, KeyboardInterrupt) as exc:
        if args.debug:
            raise
        explained = explain(exc)
        print(f"error: {explained.line}", file=sys.stderr)
        return explained.code
