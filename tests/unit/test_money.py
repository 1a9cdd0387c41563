from decimal import Decimal

import pytest

from bot.domain.money import (
    AmbiguousAmount,
    AmountError,
    Money,
    is_currency,
    parse_amount,
    to_minor,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1,234,567", "1234567"),
        ("1.234.567", "1234567"),
        ("1'234.50", "1234.50"),
        ("(99.90)", "-99.90"),
        ("0", "0"),
    ],
)
def test_amounts_read_with_either_decimal_separator(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,500", "1.500", "-2.250", "999,999"])
def test_an_amount_readable_two_ways_is_refused_without_a_declared_separator(text: str) -> None:
    with pytest.raises(AmbiguousAmount, match="could be read two ways"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("0.500", "0.500"), ("1.50", "1.50"), ("1,5", "1.5")]
)
def test_amounts_that_read_one_way_only_are_not_ambiguous(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


def test_a_declared_separator_decides_the_ambiguous_case() -> None:
    assert parse_amount("1,234", decimal_separator=".") == Decimal("1234")
    assert parse_amount("1,234", decimal_separator=",") == Decimal("1.234")
    assert parse_amount("1.500", decimal_separator=".") == Decimal("1.5")
    assert parse_amount("1.500", decimal_separator=",") == Decimal("1500")


@pytest.mark.parametrize(
    "text", ["", "abc", "12.3.4,5,6", "1e5", "--3", "12,34,5", "²", "NaN", "Infinity", "-"]
)
def test_non_amounts_are_refused(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text)


def test_minor_units_follow_the_currency() -> None:
    assert to_minor(Decimal("12.34"), "EUR") == 1234
    assert to_minor(Decimal("1500"), "JPY") == 1500
    assert to_minor(Decimal("1.234"), "KWD") == 1234
    with pytest.raises(AmountError, match="more than 2 decimal places for EUR"):
        to_minor(Decimal("1.234"), "EUR")
    with pytest.raises(AmountError):
        to_minor(Decimal("10.5"), "JPY")


def test_money_round_trips_and_formats_in_the_readers_locale() -> None:
    money = Money.of_minor(123456, "EUR")
    assert money.amount == Decimal("1234.56")
    assert money.minor == 123456
    assert money.format("fr_FR") == "1\u202f234,56\xa0€"
    assert money.format("de_DE") == "1.234,56\xa0€"
    assert Money.of_minor(123456, "GBP").format("en_GB") == "£1,234.56"


def test_money_refuses_to_mix_currencies() -> None:
    with pytest.raises(ValueError, match="cannot add"):
        _ = Money(Decimal(1), "EUR") + Money(Decimal(1), "USD")


def test_only_currencies_in_use_are_accepted() -> None:
    assert is_currency("EUR") and is_currency("GBP") and is_currency("JPY")
    assert not is_currency("FRF")  # replaced by the euro
    assert not is_currency("EURO")
