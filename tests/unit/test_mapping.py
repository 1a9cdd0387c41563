"""Mapping files: every bundled one loads and cites its source; mistakes are named."""

from __future__ import annotations

import tomllib

import pytest

from bot.importing.mapping import (
    MAPPINGS_DIR,
    MappingError,
    RowRule,
    available_mappings,
    header_key,
    load_mapping,
    parse_mapping,
)

BASE = """
[columns]
customer_id = "C"
customer_name = "C"
invoice_number = "N"
amount = "A"
issue_date = "I"
due_date = "D"
[defaults]
currency = "EUR"
country = "FR"
"""


@pytest.mark.parametrize("name", available_mappings())
def test_each_bundled_mapping_loads_and_cites_its_source(name: str) -> None:
    mapping = load_mapping(name)
    assert mapping.name == name and mapping.description
    text = (MAPPINGS_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert name == "relance" or ("# Source" in text and "https://" in text)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[statuses]\nlost = ["x"]', "[statuses] keys are open, paid, void, written_off"),
        ('[[drop]]\nstarts_with = "Total"', "needs a column or a position"),
        ('[line_items]\nsum = ["due_date"]', "sum may list amount, amount_paid, balance"),
    ],
)
def test_mistakes_in_a_mapping_are_named(extra: str, message: str) -> None:
    with pytest.raises(MappingError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_mapping(tomllib.loads(BASE + extra), "mine")


def test_a_group_column_needs_its_position() -> None:
    text = BASE.replace('customer_id = "C"', 'customer_id = "@group"')
    with pytest.raises(MappingError, match="needs \\[groups\\] position"):
        parse_mapping(tomllib.loads(text), "mine")


def test_a_due_date_may_come_from_the_issue_date() -> None:
    text = BASE.replace('due_date = "D"\n', "").replace(
        "[columns]", "due_days_after_issue = 30\n[columns]"
    )
    assert parse_mapping(tomllib.loads(text), "mine").due_days == 30


def test_row_rules_by_column_name_or_position() -> None:
    header = ["", "Num", "Status"]
    total = RowRule(position=1, starts_with="Total for ")
    draft = RowRule(column="Status", one_of=("Draft",)).resolved(header)
    no_number = RowRule(column="Num", empty=True).resolved(header)
    assert total.matches(["Total for Amy", "", ""]) and not total.matches(["", "1", "Open"])
    assert draft.matches(["", "1", "Draft"]) and not draft.matches(["", "1", "Paid"])
    assert no_number.matches(["TOTAL", "", ""]) and no_number.matches(["footer"])
    assert not no_number.matches(["", "1001", "Open"])
    missing = RowRule(column="Nowhere", not_empty=True).resolved(header)
    assert not missing.matches(["a", "b", "c"])


@pytest.mark.parametrize(
    ("top", "message"),
    [
        ('delimiter = ["\\t", "||"]', "mine: a delimiter is one character"),
        ('encoding = ["utf-8", "latin-42"]', "mine: unknown encoding 'latin-42'"),
        ("delimiter = []", "mine: delimiter lists no value"),
    ],
)
def test_separators_and_encodings_are_checked(top: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        parse_mapping(tomllib.loads(top + "\n" + BASE), "mine")


def test_a_fallback_names_a_known_field() -> None:
    with pytest.raises(MappingError, match="unknown field"):
        parse_mapping(tomllib.loads(BASE + '[fallbacks]\nnope = "X"\n'), "mine")


@pytest.mark.parametrize(
    "written",
    ["Due Date", "due date", " DUE DATE ", '"Due Date"', "\ufeffDue Date", "Due\u00a0date"],
)
def test_header_names_compare_as_tools_vary_them(written: str) -> None:
    assert header_key(written) == header_key("Due Date")


def test_header_names_that_differ_stay_apart() -> None:
    assert header_key("Due") != header_key("Due Date") != header_key("DueDate")
