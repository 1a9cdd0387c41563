"""The rate tables statutory interest builds on, and the late-payment laws over them: each
from its TOML file (bundled, or given by a setting), and the tables `relance rates update`
fetched, kept in a file of their own."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

from bot.config import Settings, read_toml
from bot.domain.late_payment import Fixing, Law, LawBook, ReferenceRates, Rounding
from bot.domain.rate_series import overlay

BUNDLED = Path(__file__).resolve().parent


def load_reference_rates(
    path: Path | None = None, fetched: Path | None = None
) -> dict[str, ReferenceRates]:
    """Central bank rates for statutory interest: the file given, else the bundled table, with
    the tables `relance rates update` fetched (`fetched`, when it exists) over them."""
    source = path or BUNDLED / "reference_rates.toml"
    tables = _rate_tables(source, "RELANCE_RATES_FILE")
    if fetched is not None and fetched.exists():
        tables = overlay(tables, _rate_tables(fetched, "RELANCE_FETCHED_RATES_FILE"))
    return tables


def _rate_tables(source: Path, setting: str) -> dict[str, ReferenceRates]:
    data = read_toml(source, setting)
    return {
        name: ReferenceRates(
            source=table.get("source", name),
            name=table.get("name", name),
            as_of=date.fromisoformat(table["as_of"]),
            changes=tuple(
                sorted(
                    (date.fromisoformat(day), Decimal(rate))
                    for day, rate in table["changes"].items()
                )
            ),
        )
        for name, table in data.items()
    }


def save_fetched_rates(path: Path, tables: dict[str, ReferenceRates]) -> None:
    """Write `tables` over those already fetched to `path` (the same TOML shape as the bundled
    file), atomically: a reader never sees half a file."""
    known = _rate_tables(path, "RELANCE_FETCHED_RATES_FILE") if path.exists() else {}
    known.update(tables)
    lines = ["# Written by `relance rates update`; read over bot/reference_rates.toml.", ""]
    for key, table in sorted(known.items()):
        lines += [
            f"[{json.dumps(key)}]",
            f"name = {json.dumps(table.name, ensure_ascii=False)}",
            f"source = {json.dumps(table.source, ensure_ascii=False)}",
            f'as_of = "{table.as_of.isoformat()}"',
            f"[{json.dumps(key)}.changes]",
            *(f'"{day.isoformat()}" = "{rate}"' for day, rate in table.changes),
            "",
        ]
    partial = path.with_name(path.name + ".partial")
    partial.write_text("\n".join(lines), encoding="utf-8")
    partial.replace(path)


def load_rates(settings: Settings) -> dict[str, ReferenceRates]:
    """The rate tables in force for `settings`: bundled or given, the fetched ones over them."""
    return load_reference_rates(settings.rates_file, settings.fetched_rates_file)


def load_law_book(rates: dict[str, ReferenceRates], path: Path | None = None) -> LawBook:
    """The late-payment laws (bundled `late_payment_laws.toml` unless a file is given), checked
    against the rate tables they build on."""
    source = path or BUNDLED / "late_payment_laws.toml"
    laws = {}
    for code, law in tomllib.loads(source.read_text(encoding="utf-8")).items():
        if law["reference"] not in rates:
            raise ValueError(f"{source}: law {code} needs the rate table {law['reference']!r}")
        laws[code] = Law(
            code=code,
            name=law["name"],
            source=law["source"],
            reference=law["reference"],
            fixing=Fixing(law["fixing"]),
            margin=Decimal(law["margin"]),
            currency=law["currency"],
            compensation_tiers=tuple(
                (Decimal(t["below"]) if "below" in t else None, Decimal(t["amount"]))
                for t in law["compensation"]
            ),
            citations=dict(law["citation"]),
            rounding=Rounding(law.get("rounding", "none")),
            compound_yearly=law.get("compound") == "yearly",
        )
    return LawBook(laws, rates)
