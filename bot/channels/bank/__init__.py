"""Bank statements in: one reader per format, one door. The format is told by the file's own
content (a camt namespace, an OFX header, MT940 tags), never by its name; a CSV export needs
its bank's mapping. Every file is bounded in size, validated, and read whole or not at all."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.channels.bank.camt import read_camt, version_of
from bot.channels.bank.common import BankFileError, compact_iban, read_bounded
from bot.channels.bank.csv_export import read_csv_export
from bot.channels.bank.ofx import looks_like_ofx, read_ofx
from bot.channels.bank.swift_mt940 import looks_like_mt940, read_mt940
from bot.domain.bank_statement import Statement
from bot.domain.msgid import phrase
from bot.importing.mapping import Mapping
from bot.importing.source import LineError

__all__ = ["BankFileError", "compact_iban", "is_bank_file", "read_statement"]


def _kind(data: bytes) -> str:
    head = data[:4096]
    if version_of(head) is not None:
        return "camt"
    if looks_like_ofx(head):
        return "ofx"
    if looks_like_mt940(head.decode("latin-1")):
        return "mt940"
    return ""


def is_bank_file(path: Path) -> bool:
    """Whether a file dropped in the import folder is a bank statement (camt, MT940, OFX)."""
    with path.open("rb") as stream:
        return bool(_kind(stream.read(4096)))


def read_statement(path: Path, *, account: str = "", mapping: Mapping | None = None) -> Statement:
    """The statement in `path`; `account` (an IBAN) names its account when the file does not
    (a CSV export rarely says whose it is), and must be the one a camt, MT940 or OFX file
    names; `mapping` for a CSV export."""
    data = read_bounded(path)
    kind = _kind(data)
    if kind == "camt":
        statement = read_camt(data)
    elif kind == "ofx":
        statement = read_ofx(data)
    elif kind == "mt940":
        statement = read_mt940(data)
    elif mapping is not None:
        return read_csv_export(path, mapping, account)  # an export's own account column varies
    else:
        raise BankFileError(
            [
                LineError(
                    1,
                    "",
                    phrase(
                        "not camt.053/054, MT940 or OFX; a CSV export needs its bank's --mapping"
                    ),
                )
            ]
        )
    if not account:
        return statement
    said = compact_iban(statement.account) or statement.account.replace(" ", "").upper()
    if statement.account and said != account:
        message = phrase(
            "is the statement of {found}, not of {expected}",
            found=statement.account,
            expected=account,
        )
        raise BankFileError([LineError(1, "", message)])
    return replace(statement, account=account)
