"""The settings a lead edits are named once: what is shown, what is checked and what is applied
are the same keys, and a refusal names the input it is about."""

from __future__ import annotations

import pytest

from bot.config import Settings, load_policy
from bot.services.common.errors import Invalid
from bot.services.operations import app_settings


def test_shown_checked_and_applied_are_the_same_keys() -> None:
    settings, policy = Settings(approvers=("U1",), digest_channel="C1"), load_policy()
    shown = app_settings.current(settings, policy)
    assert tuple(shown) == app_settings.EDITABLE
    checked = app_settings.validate(shown)
    assert tuple(checked) == app_settings.EDITABLE
    changed = {**checked, "max_instalments": 7, "digest_time": "08:30"}
    new_settings, new_policy = app_settings.apply(settings, policy, changed)
    assert app_settings.current(new_settings, new_policy) == {
        **shown,
        "max_instalments": 7,
        "digest_time": "08:30",
    }


def test_a_refusal_names_its_input() -> None:
    values = app_settings.current(Settings(approvers=("U1",), digest_channel="C1"), load_policy())
    with pytest.raises(Invalid) as refused:
        app_settings.validate({**values, "max_instalments": 0})
    assert (refused.value.field, refused.value.message) == ("max_instalments", "between 1 and 60")
    with pytest.raises(Invalid) as refused:
        app_settings.validate({**values, "digest_time": "noon"})
    assert refused.value.field == "digest_time"


def test_a_refusal_without_an_input_keeps_its_message() -> None:
    refusal = Invalid("Which customer?")
    assert (refusal.field, refusal.message, str(refusal)) == (
        "",
        "Which customer?",
        "Which customer?",
    )
