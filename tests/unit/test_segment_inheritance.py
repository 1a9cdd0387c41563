"""A segment's policy sets only what differs from the main policy: each setting it leaves out
is the main policy's (as in force, a lead's change included); each it sets is its own."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import time
from decimal import Decimal
from typing import Any

import pytest

from bot.config import load_policy
from bot.domain.owners import OwnerRule
from bot.domain.policy import PolicyError
from bot.domain.segments import Segments
from bot.domain.worklist import channel_stages, one_by_one

STAGES = '[[stages]]\nname = "friendly"\nopens_at_days = 30\nchannel = "email"\n'


def _main() -> Any:
    main = load_policy()
    return replace(
        main,
        promise_grace_days=5,
        max_contacts_per_30_days=2,
        max_discount_percent=Decimal(3),
        discount_days=10,
        promise_max_days=20,
        min_balance={"EUR": Decimal(50)},
        business_hours=(time(8), time(17)),
        plans=replace(main.plans, max_instalments=4, longest_span_days=90),
    )


def _segment(text: str, main: Any = None) -> Any:
    main = main or _main()
    return Segments.over(main, {"s": tomllib.loads(text)}, ()).policy("s", main)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("promise_grace_days", 5),
        ("max_contacts_per_30_days", 2),
        ("said_paid_hold_days", 7),
        ("promise_max_days", 20),
        ("max_discount_percent", Decimal(3)),
        ("discount_days", 10),
        ("min_balance", {"EUR": Decimal(50)}),
        ("business_hours", (time(8), time(17))),
    ],
)
def test_a_setting_the_segment_leaves_out_is_the_main_policys(
    setting: str, expected: object
) -> None:
    assert getattr(_segment(STAGES), setting) == expected


def test_plan_limits_are_inherited_one_by_one() -> None:
    plans = _segment(STAGES + "[plans]\nmax_instalments = 12\n").plans
    assert (plans.max_instalments, plans.longest_span_days) == (12, 90)  # its own, the main's
    assert plans.least_first_payment_percent == Decimal(10)


def test_owners_rules_and_stages_are_the_main_policys_unless_set() -> None:
    keeper = OwnerRule.from_dict({"country": "GB", "owner": "U0456EFGH"})
    main = replace(_main(), owners=(keeper,))
    grace_only = _segment("[limits]\npromise_grace_days = 20\n", main)
    assert grace_only.stages == main.stages and grace_only.owners == main.owners
    assert grace_only.promise_grace_days == 20 and grace_only.max_contacts_per_30_days == 2
    own = _segment(STAGES + '[[owners]]\ncountry = "DE"\nowner = "U0123ABCD"\n', main)
    assert [s.name for s in own.stages] == ["friendly"]
    assert [r.owner for r in own.owners] == ["U0123ABCD"]


def test_a_setting_the_segment_sets_is_its_own() -> None:
    own = _segment(STAGES + "[limits]\npromise_grace_days = 15\nmin_balance = { GBP = 5 }\n")
    assert own.promise_grace_days == 15 and own.min_balance == {"GBP": Decimal(5)}
    assert own.max_contacts_per_30_days == 2  # the rest of [limits] still the main's


def test_a_leads_change_to_the_main_policy_reaches_the_segments() -> None:
    main = _main()
    segments = Segments.over(main, {"s": tomllib.loads(STAGES)}, ())
    changed = replace(main, max_contacts_per_30_days=1)
    assert segments.policy("s", main).max_contacts_per_30_days == 2
    assert segments.policy("s", changed).max_contacts_per_30_days == 1


def test_an_inherited_discount_ceiling_still_bounds_the_segments_stages() -> None:
    offer = STAGES + "discount_percent = 5\n"
    with pytest.raises(PolicyError, match="limit of 3"):
        _segment(offer)


def test_a_segments_own_final_notice_is_never_approved_in_bulk_and_its_calls_go_to_the_thread() -> (
    None
):
    own = _segment(
        STAGES + '[[stages]]\nname = "public_final"\nopens_at_days = 90\nchannel = "email"\n'
        "letter = true\n"
        '[[stages]]\nname = "public_call"\nopens_at_days = 95\nchannel = "phone"\n'
        "in_channel = true\n"
    )
    main = _main()
    assert "public_final" in one_by_one(main, own) and "final" in one_by_one(main, own)
    assert "public_final" not in one_by_one(main)
    assert {"public_call", "call"} <= channel_stages(main, own)
