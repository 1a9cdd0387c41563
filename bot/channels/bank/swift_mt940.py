"""SWIFT MT940 customer statements, read with the `mt-940` package.

Each :61: line is one entry: its debit/credit mark (C, D, and the reversal marks RC — a
credit undone, so money out — and RD — a debit undone), its amount, and its bank reference
(after "//"), which is the entry's reference here. The :86: line after it carries the payer and
the remittance text, structured (`?20`…`?29`, `?32`/`?33`, `?31`) in German SEPA statements."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import mt940

from bot.channels.bank.common import BankFileError, Lines, compact_iban
from bot.domain.bank_statement import Statement
from bot.domain.msgid import phrase
from bot.importing.source import LineError

_UNNAMED = {"", "NONREF"}
_LEADING_IBAN = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{11,30})")


def looks_like_mt940(text: str) -> bool:
    return ":20:" in text[:2000] and ":61:" in text


def _decoded(data: bytes) -> str:
    """UTF-8, else ISO 8859-1 (the SWIFT character set is ASCII; German banks write their
    umlauts in Latin-1): both read every byte, neither guesses a value."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _payer(details: dict[str, Any]) -> tuple[str, str]:
    """The payer's name and IBAN: the :86: subfields where given, else an IBAN written before
    the name (older statements join ?31 and ?32)."""
    name = str(details.get("applicant_name") or "").strip()
    iban = str(details.get("applicant_iban") or details.get("gvc_applicant_iban") or "")
    head = _LEADING_IBAN.match(name)
    if not iban and head:
        for end in range(len(head.group(1)), 14, -1):
            if compact_iban(name[:end]):
                iban, name = name[:end], name[end:].strip()
                break
    return name, iban


def _messages(text: str) -> list[tuple[int, str]]:
    """The file's statement messages, each from its :20: line, with the number of the line
    before it: a file may hold the statements of several accounts (or pages of one)."""
    rows = text.split("\n")
    starts = [n for n, row in enumerate(rows) if row.startswith(":20:")] or [0]
    ends = [*starts[1:], len(rows)]
    return [(a, "\n".join(rows[a:b])) for a, b in zip(starts, ends, strict=True)]


def _parsed(message: str) -> mt940.models.Transactions:
    statements = mt940.models.Transactions()
    try:
        statements.parse(message)
    except (RuntimeError, ValueError, KeyError, InvalidOperation) as exc:
        why = phrase("not a readable MT940 statement ({error})", error=str(exc))
        raise BankFileError([LineError(1, "", why)]) from None
    return statements


def read_mt940(data: bytes) -> Statement:
    """Every entry of every statement in the file, each under its own statement's :25:
    account (stored under it, so the same bank reference in two accounts is two entries)."""
    found = Lines()
    accounts: list[str] = []
    for offset, message in _messages(_decoded(data).replace("\r\n", "\n")):
        statements = _parsed(message)
        account = str(statements.data.get("account_identification") or "")
        accounts.append(account)
        starts = [
            offset + n
            for n, row in enumerate(message.split("\n"), start=1)
            if row.startswith(":61:")
        ]
        if len(statements.transactions) != len(starts):
            read = len(statements.transactions)
            found.error(
                offset + 1,
                "",
                phrase("{lines} :61: lines, {read} entries read", lines=len(starts), read=read),
            )
            continue
        for position, entry in zip(starts, statements.transactions, strict=True):
            _entry(found, position, entry.data, account)
    several = len(set(accounts)) > 1
    lines = found.done() if several else [replace(x, account="") for x in found.done()]
    return Statement("mt940", ", ".join(dict.fromkeys(accounts)), tuple(lines))


def _entry(found: Lines, position: int, data_: dict[str, Any], account: str) -> None:
    """One :61: entry (with its :86:) into `found`."""
    status = str(data_.get("status") or "")
    if status not in ("C", "D", "RC", "RD"):
        found.error(
            position,
            ":61:",
            phrase("debit/credit mark {mark} is not C, D, RC or RD", mark=repr(status)),
        )
        return
    reference = str(data_.get("bank_reference") or "").strip()
    name, iban = _payer(data_)
    said = [
        str(data_.get(key) or "").strip()
        for key in ("purpose", "additional_purpose", "end_to_end_reference")
    ]
    customer = str(data_.get("customer_reference") or "").strip()
    if customer not in _UNNAMED:
        said.append(customer)
    if not any(said):
        said.append(str(data_.get("transaction_details") or "").replace("\n", " "))
    day = data_.get("guessed_entry_date") or data_.get("date")
    booked = date(day.year, day.month, day.day) if day is not None else None
    try:
        amount = abs(Decimal(data_["amount"].amount))
    except (KeyError, InvalidOperation, AttributeError):
        amount = None
    found.add(
        position,
        reference="" if reference.upper() in _UNNAMED else reference,
        booked=booked,
        amount=amount,
        currency=str(data_.get("currency") or ""),
        credit=status in ("C", "RD"),
        reversal=status.startswith("R"),
        payer_name=name,
        payer_iban=iban,
        remittance="\n".join(s for s in said if s),
        end_to_end=str(data_.get("end_to_end_reference") or ""),
        account=account,
    )
