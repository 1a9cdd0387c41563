"""The reference rates of statutory interest: fetched from their publishers, shown."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from bot.config import Settings
from bot.domain.calendar import local_today


def _rates_update(settings: Settings, _args: argparse.Namespace) -> int:
    """Exit 1 only when no table could be refreshed: a publisher down leaves its table as it
    was (said on one line) and the others are still worth writing."""
    from bot.channels.rates.publishers import sources
    from bot.rate_files import load_rates, save_fetched_rates
    from bot.services.operations.rates_update import update_rates

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


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rates = commands.add_parser("rates", help="the reference rates of statutory interest")
    rates_commands = rates.add_subparsers(dest="rates_command", required=True)
    rates_commands.add_parser(
        "update", help="fetch each table's series from its publisher"
    ).set_defaults(handler=_rates_update)
    rates_commands.add_parser("show", help="each table's last known date and source").set_defaults(
        handler=_rates_show
    )
