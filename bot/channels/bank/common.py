"""What every bank-file reader shares: the size bound, the checks on each line's text, the
error that names each bad line, and the references of entries a bank left unnamed."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from bot.domain.bank_statement import StatementLine, fallback_reference
from bot.domain.money import AmountError, is_currency, to_minor
from bot.domain.msgid import Phrase, phrase
from bot.importing.source import LineError

#: A day's statement of a busy account is a few megabytes; anything far larger is not one.
MAX_BYTES = 64 * 1024 * 1024
MAX_LINES = 200_000
#: camt's own limits (Max140Text for a name, 4 × Max140Text of unstructured remittance), with
#: room for the structured references and the additional information beside them
MAX_NAME, MAX_REMITTANCE, MAX_REFERENCE = 140, 2000, 100
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # a newline joins remittance parts


class BankFileError(ValueError):
    """Nothing was read: each bad line (or entry) named."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = sorted(errors, key=LineError.key)
        super().__init__(
            f"nothing imported: {len(errors)} error(s)\n" + "\n".join(str(e) for e in self.errors)
        )


def read_bounded(path: Path) -> bytes:
    """The file's bytes, refused whole when it is larger than any statement."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise BankFileError(
            [
                LineError(
                    1,
                    "",
                    phrase(
                        "is {size} bytes: a bank file is at most {most}", size=size, most=MAX_BYTES
                    ),
                )
            ]
        )
    data = path.read_bytes()
    if not data.strip():
        raise BankFileError([LineError(1, "", phrase("the file is empty"))])
    return data


def compact_iban(text: str) -> str:
    """An IBAN in its electronic form when `text` is a valid one (schwifty checks its length
    per country and its check digits), else ""."""
    try:
        return str(IBAN(text.strip(), validate_bban=True).compact)
    except (SchwiftyException, ValueError):
        return ""


def _figure_problems(
    booked: date | None, amount: Decimal | None, currency: str
) -> list[tuple[str, Phrase]]:
    """What is wrong with a line's currency, date and amount, by column."""
    problems: list[tuple[str, Phrase]] = []
    if not is_currency(currency):
        problems.append(
            ("currency", phrase("{text} is not an ISO 4217 currency", text=repr(currency[:5])))
        )
    if booked is None:
        problems.append(("date", phrase("no booking date")))
    if amount is None or amount < 0:
        problems.append(("amount", phrase("no amount")))
    elif is_currency(currency):
        try:
            to_minor(amount, currency)
        except AmountError as exc:
            problems.append(("amount", exc.phrase))
    return problems


def _text_problems(texts: dict[str, tuple[str, int]]) -> list[tuple[str, Phrase]]:
    """Texts (by column, with their limits) holding a control character or too long."""
    problems: list[tuple[str, Phrase]] = []
    for name, (text, limit) in texts.items():
        if _CONTROL.search(text):
            problems.append((name, phrase("holds a control character")))
        elif len(text) > limit:
            problems.append((name, phrase("is longer than {limit} characters", limit=limit)))
    return problems


@dataclass
class Lines:
    """Collects a file's lines and the errors in them; `done()` gives the lines or raises."""

    account: str = ""
    lines: list[StatementLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    _seen: Counter[tuple[object, ...]] = field(default_factory=Counter)

    def error(self, position: int, column: str, message: Phrase) -> None:
        self.errors.append(LineError(position, column, message))

    def add(
        self,
        position: int,
        *,
        reference: str,
        booked: date | None,
        amount: Decimal | None,
        currency: str,
        credit: bool,
        reversal: bool = False,
        payer_name: str = "",
        payer_iban: str = "",
        remittance: str = "",
        end_to_end: str = "",
        account: str = "",
    ) -> None:
        """Check one line's values; a bad one is named, the others kept. `account` for a line
        of a file holding several accounts' statements."""
        currency = currency.strip().upper()
        problems = _figure_problems(booked, amount, currency) + _text_problems(
            {
                "payer": (payer_name, MAX_NAME),
                "remittance": (remittance, MAX_REMITTANCE),
                "reference": (reference, MAX_REFERENCE),
                "end-to-end id": (end_to_end, MAX_REFERENCE),
            }
        )
        if len(self.lines) >= MAX_LINES:
            problems.append(("", phrase("more than {most} entries in one file", most=MAX_LINES)))
        for column, message in problems:
            self.error(position, column, message)
        if problems or booked is None or amount is None:
            return
        iban = compact_iban(payer_iban) if payer_iban.strip() else ""
        line = StatementLine(
            position,
            reference.strip(),
            booked,
            amount,
            currency,
            credit,
            reversal,
            " ".join(payer_name.split()),
            iban,
            remittance.strip(),
            "" if end_to_end.strip().upper() == "NOTPROVIDED" else end_to_end.strip(),
            account,
        )
        self.lines.append(line if line.reference else self._referenced(line))

    def _referenced(self, line: StatementLine) -> StatementLine:
        """A line its bank gave no reference: one made from what it says (the same line twice
        in one account's statement numbered apart)."""
        said = (
            line.booked,
            line.amount,
            line.currency,
            line.credit,
            line.remittance,
            line.payer_name,
        )
        seen = (line.account, *said)
        self._seen[seen] += 1
        return replace(line, reference=fallback_reference(self.account, *said, self._seen[seen]))

    def done(self) -> list[StatementLine]:
        if self.errors:
            raise BankFileError(self.errors)
        references = Counter((line.account, line.reference) for line in self.lines)
        twice = [x for x in self.lines if references[x.account, x.reference] > 1]
        if twice:  # a reference names one entry of its account: two are a broken file
            raise BankFileError(
                [
                    LineError(
                        x.position, "reference", phrase("{text} twice", text=repr(x.reference))
                    )
                    for x in twice
                ]
            )
        return self.lines
