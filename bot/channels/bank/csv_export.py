"""A bank's CSV export, read through a column mapping of the same format as the ledgers'
(`bot/importing/mapping.py`, `load_mapping(name, bank=True)`; bundled ones in
`bot/importing/mappings/bank/`). The same streaming reader names each bad line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from bot.channels.bank.common import BankFileError, Lines
from bot.domain.bank_statement import Statement
from bot.domain.money import AmountError, parse_amount
from bot.domain.msgid import Phrase, Refused, phrase, verbatim
from bot.importing.fields import parse_date
from bot.importing.mapping import Mapping
from bot.importing.source import CsvSource, LineError


def read_csv_export(path: Path, mapping: Mapping, account: str = "") -> Statement:
    if not (mapping.provides("amount") or mapping.provides("credit_amount")):
        raise BankFileError(
            [
                LineError(
                    1,
                    "",
                    phrase(
                        "mapping {mapping} maps no amount nor credit_amount",
                        mapping=repr(mapping.name),
                    ),
                )
            ]
        )
    source = CsvSource(path, mapping)
    found = Lines(account=account)
    accounts: set[str] = set()
    for line, row in source.records():
        cells = _cells(source.mapping, source.header, row)
        accounts.add(cells.get("account", ""))
        try:
            booked = parse_date(cells.get("booking_date", ""), mapping.date_formats)
        except ValueError as exc:
            found.error(line, mapping.columns.get("booking_date", ""), _said(exc))
            continue
        try:
            amount, credit = _amount(cells, mapping)
        except (AmountError, ValueError) as exc:
            found.error(line, mapping.columns.get("amount", ""), _said(exc))
            continue
        found.add(
            line,
            reference=cells.get("reference", ""),
            booked=booked,
            amount=amount,
            currency=cells.get("currency", ""),
            credit=credit,
            payer_name=cells.get("payer_name", ""),
            payer_iban=cells.get("payer_iban", ""),
            remittance=cells.get("remittance", ""),
            end_to_end=cells.get("end_to_end", ""),
        )
    found.errors += source.errors
    accounts.discard("")
    if not account and len(accounts) > 1:
        found.error(1, mapping.columns.get("account", ""), phrase("covers several accounts"))
    found.account = account or (accounts.pop() if accounts else "")
    lines = found.done()
    return Statement(f"csv:{mapping.name}", found.account, tuple(lines))


def _cells(mapping: Mapping, header: list[str], row: list[str]) -> dict[str, str]:
    at = {name: n for n, name in enumerate(header)}
    cells = dict(mapping.defaults)
    for name, column in mapping.columns.items():
        if column in at:
            cells[name] = row[at[column]].strip()
    for name, columns in mapping.joined.items():
        cells[name] = "\n".join(row[at[c]].strip() for c in columns if c in at and row[at[c]])
    return cells


def _amount(cells: dict[str, str], mapping: Mapping) -> tuple[Decimal, bool]:
    """The amount and whether it came in: a signed amount, or one of two columns filled."""
    separator = mapping.decimal_separator
    if cells.get("amount"):
        amount = parse_amount(cells["amount"], separator)
        return abs(amount), amount > 0
    credit, debit = cells.get("credit_amount", ""), cells.get("debit_amount", "")
    if bool(credit) == bool(debit):
        raise Refused(phrase("one of the credit and debit amounts must be given, not both"))
    amount = parse_amount(credit or debit, separator)
    return abs(amount), bool(credit)


def _said(exc: ValueError) -> Phrase:
    """A cell's refusal: the rule's phrase, or the text of an error no rule words (kept)."""
    return exc.phrase if isinstance(exc, Refused) else verbatim(str(exc))
