"""Scheduled import: every new file dropped in a folder imported once, then filed away.

A file that imports goes to `done/`; one that does not goes to `failed/` with its error report
beside it (`<name>.errors.txt`), so nothing is retried by accident and nothing is lost. Files
still being written (changed in the last `settle_seconds`), hidden files and partial downloads
are left for the next pass. A bank statement (camt, MT940, OFX: told by its content) dropped in
the same folder goes to the `bank` importer given, the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.channels.bank import BankFileError, is_bank_file
from bot.domain.outcomes import FiledAs
from bot.importing.mapping import Mapping
from bot.importing.source import LineError
from bot.rendering.staff_text import Phrase, phrase, phrase_n
from bot.services.cash import BankImport
from bot.services.ledger.importing import ImportFailed, ImportReport, import_invoices

_PARTIAL = (".part", ".tmp", ".crdownload", ".partial")


@dataclass(frozen=True)
class FileOutcome:
    name: str
    moved_to: Path
    report: ImportReport | None = None
    errors: str = ""  # the error report, when nothing was imported
    lines: tuple[LineError, ...] = ()  # its lines in error (the first kept), to word for staff
    bank: BankImport | None = None  # a bank statement's
    failures: int = 0  # the lines in error, when an import was refused for them

    @property
    def ok(self) -> bool:
        return self.report is not None or self.bank is not None

    @property
    def filed_as(self) -> FiledAs:
        return FiledAs.DONE if self.ok else FiledAs.FAILED

    def summary(self) -> Phrase:
        """One line for a person: what the file brought, or how many errors stopped it."""
        if self.bank is not None:
            return phrase(
                "{file}: bank statement, {applied} applied, {to_decide} to decide",
                file=self.name,
                applied=self.bank.applied,
                to_decide=len(self.bank.to_decide),
            )
        if self.report is None:
            if self.failures:
                return phrase_n(
                    "{file}: nothing imported ({count} error)",
                    "{file}: nothing imported ({count} errors)",
                    self.failures,
                    file=self.name,
                )
            why = self.errors.splitlines()[0] if self.errors else ""
            return phrase("{file}: nothing imported ({why})", file=self.name, why=why)
        r = self.report
        counts = {
            "invoices": phrase_n("{count} new invoice", "{count} new invoices", r.invoices_created),
            "changed": phrase_n("{count} changed", "{count} changed", r.invoices_updated),
            "customers": phrase_n(
                "{count} new customer", "{count} new customers", r.customers_created
            ),
            "payments": phrase_n("{count} payment", "{count} payments", r.payments_recorded),
        }
        if r.disagreements:
            return phrase(
                "{file}: {invoices}, {changed}, {customers}, {payments}, {differing}",
                file=self.name,
                differing=phrase_n(
                    "{count} balance other than total − paid (imported as the tool says)",
                    "{count} balances other than total − paid (imported as the tool says)",
                    len(r.disagreements),
                ),
                **counts,
            )
        return phrase(
            "{file}: {invoices}, {changed}, {customers}, {payments}", file=self.name, **counts
        )


def new_files(folder: Path, settle_seconds: float, now: float) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and not p.name.endswith(_PARTIAL)
        and now - p.stat().st_mtime >= settle_seconds
    )


def import_folder(
    engine: Engine,
    folder: Path,
    mapping: Mapping,
    *,
    actor: str = "import",
    fallback_timezone: str = "Europe/Paris",
    allow_reassign: bool = False,
    allow_future: bool = False,
    settle_seconds: float = 10,
    clock: Callable[[], float] = time.time,
    bank: Callable[[Path], BankImport] | None = None,
) -> list[FileOutcome]:
    """One pass over the folder: each new file imported (all or nothing) and filed away."""
    for filed_as in FiledAs:
        (folder / filed_as).mkdir(exist_ok=True)
    outcomes = []
    for path in new_files(folder, settle_seconds, clock()):
        try:
            if bank is not None and is_bank_file(path):
                statement = bank(path)
                target = _free_name(folder / FiledAs.DONE, path.name)
                path.rename(target)
                outcomes.append(FileOutcome(path.name, target, bank=statement))
                continue
            report = import_invoices(
                engine,
                path,
                mapping,
                actor=actor,
                fallback_timezone=fallback_timezone,
                allow_reassign=allow_reassign,
                allow_future=allow_future,
            )
        except (ImportFailed, BankFileError) as failed:
            target = _free_name(folder / FiledAs.FAILED, path.name)
            path.rename(target)
            target.with_name(target.name + ".errors.txt").write_text(
                str(failed) + "\n", encoding="utf-8"
            )
            failures = failed.total if isinstance(failed, ImportFailed) else 0
            outcomes.append(
                FileOutcome(
                    path.name,
                    target,
                    errors=str(failed),
                    lines=tuple(failed.errors),
                    failures=failures,
                )
            )
            continue
        target = _free_name(folder / FiledAs.DONE, path.name)
        path.rename(target)
        outcomes.append(FileOutcome(path.name, target, report=report))
    return outcomes


def _free_name(folder: Path, name: str) -> Path:
    """`name` in `folder`, or `name` with a counter when a file of that name was filed before."""
    target, count = folder / name, 1
    while target.exists():
        stem, dot, suffix = name.partition(".")
        target = folder / f"{stem}-{count}{dot}{suffix}"
        count += 1
    return target
