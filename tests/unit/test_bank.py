"""Bank accounts per currency: the right one for each debt, none rather than a wrong one."""

from __future__ import annotations

import pytest

from bot.config import load_bank_accounts
from bot.domain.bank import BankAccount, BankAccountError, account_for, accounts_from_dict


def test_the_bundled_accounts_cover_euros_pounds_and_dollars():
    accounts = load_bank_accounts()
    assert set(accounts) == {"CHF", "EUR", "GBP", "USD"}
    assert account_for(accounts, "GBP").iban.startswith("GB")
    assert account_for(accounts, "eur").iban.startswith("FR")


def test_a_currency_without_an_account_gets_none():
    accounts = accounts_from_dict({"EUR": {"holder": "A SAS", "iban": "FR76 1"}})
    assert account_for(accounts, "CHF") is None


def test_details_default_to_iban_and_bic():
    accounts = accounts_from_dict({"EUR": {"holder": "A SAS", "iban": "FR76 1", "bic": "AGRI"}})
    assert accounts["EUR"] == BankAccount(
        "EUR", "A SAS", "IBAN FR76 1 · BIC AGRI", "FR76 1", "AGRI"
    )


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"EURO": {"holder": "A", "iban": "X"}}, "[EURO]"),
        ({"EUR": {"iban": "X"}}, "holder"),
        ({"EUR": {"holder": "A"}}, "details"),
        ({"EUR": {"holder": "A", "iban": "X", "swift": "Y"}}, "swift"),
    ],
)
def test_a_bad_entry_is_named(data, names):
    with pytest.raises(BankAccountError, match=names.replace("[", r"\[").replace("]", r"\]")):
        accounts_from_dict(data)
