"""Where customers pay: one bank account per currency, so a customer who owes pounds is never
given a euro account. Pure data; `bot.config.load_bank_accounts` reads it from TOML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class BankAccountError(ValueError):
    """A bank account file that cannot be used; the message names the entry."""


@dataclass(frozen=True)
class BankAccount:
    currency: str
    holder: str
    details: str  # how the account is written in a reminder ("IBAN … · BIC …", sort code, …)
    iban: str | None = None
    bic: str | None = None
    #: the holder's postal address, which a Swiss QR-bill must carry (CHF and Swiss EUR accounts)
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    #: why another entity than the invoicing one holds the account, by language ("en" first)
    holder_notes: tuple[tuple[str, str], ...] = ()

    def holder_note(self, language: str) -> str:
        """The note in `language`, else in English, else none."""
        notes = dict(self.holder_notes)
        return notes.get(language) or notes.get("en", "")

    @property
    def swiss(self) -> bool:
        """A Swiss or Liechtenstein account with the address a QR-bill needs."""
        iban = (self.iban or "").replace(" ", "").upper()
        return iban[:2] in ("CH", "LI") and bool(self.postcode and self.city and self.country)


def account_for(accounts: Mapping[str, BankAccount], currency: str) -> BankAccount | None:
    """The account to give for a debt in `currency`, or None when there is none: a wrong
    account is worse than no account."""
    return accounts.get(currency.upper())


def accounts_from_dict(data: Mapping[str, Any]) -> dict[str, BankAccount]:
    """`{"EUR": {"holder": …, "iban": …, "bic": …, "details": …}, …}` as accounts by currency.
    `details` defaults to the IBAN and BIC written out; a Swiss account adds the holder's
    `street`, `house_number`, `postcode`, `city` and `country` for its QR-bill."""
    accounts: dict[str, BankAccount] = {}
    for currency, entry in data.items():
        code = currency.upper()
        if len(code) != 3 or not code.isalpha():
            raise BankAccountError(f"[{currency}]: a section is a currency code, like [EUR]")
        if not isinstance(entry, Mapping):
            raise BankAccountError(f"[{currency}]: expected holder, iban, bic, details")
        address = ("street", "house_number", "postcode", "city", "country")
        unknown = set(entry) - {"holder", "holder_note", "details", "iban", "bic", *address}
        if unknown:
            raise BankAccountError(f"[{currency}]: unknown key(s) {', '.join(sorted(unknown))}")
        holder = str(entry.get("holder", "")).strip()
        iban = str(entry["iban"]).strip() if entry.get("iban") else None
        bic = str(entry["bic"]).strip() if entry.get("bic") else None
        details = str(entry.get("details", "")).strip() or " · ".join(
            part for part in (iban and f"IBAN {iban}", bic and f"BIC {bic}") if part
        )
        if not holder or not details:
            raise BankAccountError(f"[{currency}]: holder and details (or iban) are required")
        notes = entry.get("holder_note", {})
        if not isinstance(notes, Mapping):
            raise BankAccountError(f"[{currency}]: holder_note is a table of languages (en = …)")
        accounts[code] = BankAccount(
            code,
            holder,
            details,
            iban,
            bic,
            **{k: str(entry.get(k, "")).strip() for k in address},
            holder_notes=tuple((str(k), " ".join(str(v).split())) for k, v in notes.items()),
        )
    return accounts
