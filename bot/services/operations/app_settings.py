"""Settings a finance lead changes in Slack (digest time and channel, approvers, limits,
contact cap): stored in the database, applied over the environment's values by every
instance, each change an audit event."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.config import Settings
from bot.db import read_only, unit_of_work
from bot.domain.policy import Policy
from bot.models import AppSetting, utcnow
from bot.rendering.staff_text import N_, phrase
from bot.services import audit
from bot.services.common.errors import Invalid

#: What a lead may change in Slack: fields of `Settings`, then limits of the policy.
SETTINGS_FIELDS = ("digest_time", "digest_channel", "approvers", "approver_groups")
LIMITS = (
    "max_contacts_per_30_days",
    "max_instalments",
    "longest_span_days",
    "least_first_payment_percent",
    "max_discount_percent",
)
EDITABLE = SETTINGS_FIELDS + LIMITS


def current(settings: Settings, policy: Policy) -> dict[str, Any]:
    """The editable values as they are in force."""
    return {
        "digest_time": settings.digest_time,
        "digest_channel": settings.digest_channel,
        "approvers": list(settings.approvers),
        "approver_groups": list(settings.approver_groups),
        "max_contacts_per_30_days": policy.max_contacts_per_30_days,
        "max_instalments": policy.plans.max_instalments,
        "longest_span_days": policy.plans.longest_span_days,
        "least_first_payment_percent": str(policy.plans.least_first_payment_percent),
        "max_discount_percent": str(policy.max_discount_percent),
    }


def _number(values: dict[str, Any], key: str, least: int, most: int) -> int:
    try:
        number = int(values[key])
    except (TypeError, ValueError):
        raise Invalid(key, N_("a whole number, please")) from None
    if not least <= number <= most:
        raise Invalid(key, phrase("between {least} and {most}", least=least, most=most))
    return number


def _percent(values: dict[str, Any], key: str) -> str:
    try:
        value = Decimal(str(values[key]))
    except (InvalidOperation, ValueError):
        raise Invalid(key, N_("a percentage such as 2 or 2.5")) from None
    if not Decimal(0) <= value <= Decimal(100):
        raise Invalid(key, N_("between 0 and 100"))
    return str(value)


def validate(values: dict[str, Any]) -> dict[str, Any]:
    try:
        time.fromisoformat(values["digest_time"])
    except (TypeError, ValueError):
        raise Invalid("digest_time", N_("a time such as 09:00")) from None
    if not values.get("digest_channel"):
        raise Invalid("digest_channel", N_("choose the channel the digest goes to"))
    if not values.get("approvers") and not values.get("approver_groups"):
        raise Invalid("approvers", N_("someone must be able to decide"))
    return {
        "digest_time": values["digest_time"][:5],
        "digest_channel": values["digest_channel"],
        "approvers": sorted(set(values.get("approvers") or [])),
        "approver_groups": sorted(set(values.get("approver_groups") or [])),
        "max_contacts_per_30_days": _number(values, "max_contacts_per_30_days", 1, 20),
        "max_instalments": _number(values, "max_instalments", 1, 60),
        "longest_span_days": _number(values, "longest_span_days", 1, 730),
        "least_first_payment_percent": _percent(values, "least_first_payment_percent"),
        "max_discount_percent": _percent(values, "max_discount_percent"),
    }


def save(engine: Engine, values: dict[str, Any], before: dict[str, Any], user: str) -> None:
    clean = validate(values)
    changed = {k: v for k, v in clean.items() if before.get(k) != v}
    if not changed:
        return
    with unit_of_work(engine) as session:
        for key, value in changed.items():
            row = session.get(AppSetting, key) or AppSetting(key=key, value="", updated_by=user)
            row.value, row.updated_by, row.updated_at = json.dumps(value), user, utcnow()
            session.add(row)
        audit.append(
            session,
            audit.NewEvent(
                kind="settings",
                actor=user,
                content={"before": {k: before.get(k) for k in changed}, "after": changed},
            ),
        )


def version(engine: Engine) -> tuple[int, str]:
    """Changes whenever a lead saves a change: how many stored values, and the latest save."""
    with read_only(engine) as session:
        count, latest = session.execute(
            sa.select(sa.func.count(), sa.func.max(col(AppSetting.updated_at)))
        ).one()
    return count, str(latest)


def overrides(engine: Engine) -> dict[str, Any]:
    with read_only(engine) as session:
        return {row.key: json.loads(row.value) for row in session.exec(select(AppSetting))}


def apply(settings: Settings, policy: Policy, values: dict[str, Any]) -> tuple[Settings, Policy]:
    """The environment's settings and the policy file, with the leads' changes on top."""
    changed: dict[str, Any] = {
        k: (tuple(v) if isinstance(v, list) else v)
        for k, v in values.items()
        if k in SETTINGS_FIELDS
    }
    s = replace(settings, **changed)
    plans = policy.plans
    plans = replace(
        plans,
        max_instalments=values.get("max_instalments", plans.max_instalments),
        longest_span_days=values.get("longest_span_days", plans.longest_span_days),
        least_first_payment_percent=Decimal(
            str(values.get("least_first_payment_percent", plans.least_first_payment_percent))
        ),
    )
    p = replace(
        policy,
        plans=plans,
        max_contacts_per_30_days=values.get(
            "max_contacts_per_30_days", policy.max_contacts_per_30_days
        ),
        max_discount_percent=Decimal(
            str(values.get("max_discount_percent", policy.max_discount_percent))
        ),
    )
    return s, p
