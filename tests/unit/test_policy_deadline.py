"""Start-up refuses a policy that calls in the collector before the final notice's deadline."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import pytest

from bot.config import PROJECT_ROOT, Settings, load_policy
from bot.domain.policy import Policy, PolicyError
from bot.entry.composition import build_runtime

BUNDLED = tomllib.loads((PROJECT_ROOT / "bot" / "policy.toml").read_text(encoding="utf-8"))


def with_handoff_wait(days: int) -> Policy:
    policy = load_policy()
    handoff = replace(policy.stage("handoff"), min_business_days_since_contact=days)
    return replace(policy, stages=(*policy.stages[:-1], handoff))


def test_the_bundled_policy_waits_past_the_default_deadline() -> None:
    load_policy().check_final_notice_deadline(Settings().final_notice_days)


def test_a_handoff_within_the_deadline_is_refused_with_the_fix() -> None:
    with pytest.raises(PolicyError, match=r"stage handoff may open 8 business day.*at least 9"):
        with_handoff_wait(8).check_final_notice_deadline(8)
    with_handoff_wait(9).check_final_notice_deadline(8)
    # a longer deadline needs a longer wait
    with pytest.raises(PolicyError, match="at least 11"):
        with_handoff_wait(9).check_final_notice_deadline(10)


def test_start_up_checks_the_policy_against_the_configured_deadline() -> None:
    settings = Settings(database_url="sqlite://", final_notice_days=12)
    with pytest.raises(PolicyError, match="deadline is 12 business days"):
        build_runtime(settings)
