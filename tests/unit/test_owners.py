"""Owners by rule and the stages the policy approves by itself, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from bot.config import load_policy
from bot.domain.escalation import OpenItem, Suggestion
from bot.domain.owners import Match, OwnerRule, owner_for, parse_owner
from bot.domain.policy import Policy, PolicyError
from bot.domain.segments import MAIN, SegmentRule, Segments
from bot.domain.worklist import LEAST_HOLD, route

RULES = (
    OwnerRule("UGB", Match(country="GB")),
    OwnerRule("UBIG", Match(currency="EUR", min_amount=Decimal(10000))),
    OwnerRule("USMALL", Match(currency="EUR", max_amount=Decimal(10000))),
)


@pytest.mark.parametrize(
    ("named", "country", "balances", "owner"),
    [
        ("UNAMED", "GB", {"GBP": Decimal(5)}, "UNAMED"),  # the customer's own owner wins
        ("", "GB", {"EUR": Decimal(50000)}, "UGB"),  # first matching rule
        ("", "FR", {"EUR": Decimal(10000)}, "UBIG"),  # min inclusive
        ("", "FR", {"EUR": Decimal("9999.99")}, "USMALL"),  # max exclusive
        ("", "US", {"USD": Decimal(10**6)}, ""),  # no rule: nobody's
    ],
)
def test_owner_by_name_then_first_matching_rule(
    named: str, country: str, balances: dict[str, Decimal], owner: str
) -> None:
    assert owner_for(named, RULES, country, balances) == owner


def test_owner_ids_are_read_from_mentions_and_refused_otherwise() -> None:
    assert parse_owner("<@U0123ABC|camille>") == "U0123ABC"
    assert parse_owner("@U0123ABC") == parse_owner("U0123ABC") == "U0123ABC"
    with pytest.raises(ValueError, match="not a Slack user id"):
        parse_owner("camille")


def test_an_amount_band_without_its_currency_is_refused() -> None:
    with pytest.raises(PolicyError, match="amount band needs its currency"):
        Policy.from_dict(
            {
                "stages": [{"name": "friendly", "opens_at_days": 3, "channel": "email"}],
                "owners": [{"owner": "U0123ABC", "min_amount": 100}],
            }
        )


def _policy(**stage: object) -> Policy:
    return Policy.from_dict(
        {"stages": [{"name": "s", "opens_at_days": 3, "channel": "email", **stage}]}
    )


@pytest.mark.parametrize(
    "stage",
    [
        {"channel": "phone"},
        {"late_payment_rights": True},
        {"letter": True},
        {"channel": "none"},
    ],
    ids=["call", "final notice", "letter", "hand-off"],
)
def test_final_notices_and_calls_may_never_be_approved_automatically(stage: dict) -> None:
    with pytest.raises(PolicyError, match="may not be approved automatically"):
        _policy(auto_approve={"at": "11:00"}, **stage)


def test_the_bundled_policy_approves_nothing_by_itself() -> None:
    assert all(s.auto_approve is None for s in load_policy().stages)


def _suggestion(policy: Policy, amount: str) -> Suggestion:
    item = OpenItem("F-1", "EUR", int(Decimal(amount) * 100), date(2026, 11, 1))
    return Suggestion(
        policy.stages[0], (item,), 24, datetime(2026, 11, 25, 8, tzinfo=UTC), last_wording=""
    )


def test_auto_approval_goes_at_the_customers_hour_under_the_amount_only() -> None:
    policy = _policy(auto_approve={"at": "11:00", "under": {"EUR": 500}})
    now = datetime(2026, 11, 25, 8, tzinfo=UTC)  # 09:00 in Paris
    small = route(_suggestion(policy, "499.99"), "", "FR", "Europe/Paris", policy, now)
    assert small.auto_at == datetime(2026, 11, 25, 10, tzinfo=UTC)  # 11:00 in Paris
    assert small.auto_rule == "stage s: auto-approve at 11:00 under EUR 500"
    large = route(_suggestion(policy, "500"), "", "FR", "Europe/Paris", policy, now)
    assert (large.auto_at, large.auto_rule) == (None, "")


def test_a_suggestion_made_after_the_hour_is_held_at_least_the_least_hold() -> None:
    policy = _policy(auto_approve={"at": "11:00"})
    now = datetime(2026, 11, 25, 13, tzinfo=UTC)  # 14:00 in Paris: 11:00 has passed
    routed = route(_suggestion(policy, "10"), "", "FR", "Europe/Paris", policy, now)
    assert routed.auto_at == now + LEAST_HOLD
    assert policy.stages[0].auto_approve.at == time(11)


def test_a_segment_is_the_named_one_then_the_first_matching_rule_then_the_main() -> None:
    public = _policy()
    segments = Segments({"public": public}, (SegmentRule("public", Match(country="DE")),))
    assert segments.choose("keys", "DE", {}) == "keys"
    assert segments.choose("", "DE", {}) == "public"
    assert segments.choose("", "FR", {}) == MAIN
    main = load_policy()
    assert segments.policy(MAIN, main) is main and segments.policy("public", main) is public
    assert segments.policy("keys", main) is None
    assert segments.deciding("", "DE", {}, main) == ("public", public)
    assert segments.deciding("", "FR", {}, main) == (MAIN, main)
    assert segments.deciding("keys", "DE", {}, main) == ("keys", None)  # held back by the morning
    with pytest.raises(ValueError, match="segments with no policy: nosuch"):
        Segments({}, (SegmentRule("nosuch", Match()),))
