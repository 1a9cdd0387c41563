"""The escalation policy: an ordered ladder of stages and the limits on contacting customers.

Pure data with its own validation; `bot.config.load_policy` reads it from TOML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"
    NONE = "none"  # no automatic message: flagged for a person (hand-off)


class PolicyError(ValueError):
    """A policy that cannot be applied."""


@dataclass(frozen=True)
class Stage:
    name: str
    opens_at_days: int
    channel: Channel
    template: str
    min_business_days_since_contact: int = 0
    optional: bool = False
    repeat_after_business_days: int | None = None
    late_payment_rights: bool = False
    letter: bool = False  # a PDF letter goes with the message
    discount_percent: Decimal = Decimal(0)  # early-payment discount offered (opt-in)


@dataclass(frozen=True)
class PlanLimits:
    """What staff may offer without a lead: beyond any of these a lead must accept the plan."""

    max_instalments: int = 6
    longest_span_days: int = 180
    least_first_payment_percent: Decimal = Decimal(10)

    def breaches(self, count: int, span_days: int, first_share: Decimal) -> list[str]:
        reasons = []
        if count > self.max_instalments:
            reasons.append(f"{count} instalments (the most is {self.max_instalments})")
        if span_days > self.longest_span_days:
            reasons.append(f"spans {span_days} days (the longest is {self.longest_span_days})")
        if first_share * 100 < self.least_first_payment_percent:
            reasons.append(
                f"a first payment of {first_share:.0%} (the least is "
                f"{self.least_first_payment_percent}%)"
            )
        return reasons


@dataclass(frozen=True)
class Policy:
    stages: tuple[Stage, ...]
    max_contacts_per_30_days: int = 3
    promise_grace_days: int = 3
    business_hours: tuple[time, time] = (time(9), time(18))
    min_balance: dict[str, Decimal] = field(default_factory=dict)
    plans: PlanLimits = field(default_factory=PlanLimits)
    max_discount_percent: Decimal = Decimal(0)  # the lead's ceiling for any stage's discount
    discount_days: int = 7  # business days to pay and take the discount
    promise_max_days: int = 30  # a customer may promise (on their page) at most this far ahead

    def __post_init__(self) -> None:
        if not self.stages:
            raise PolicyError("the policy has no stages")
        opens = [s.opens_at_days for s in self.stages]
        if opens != sorted(opens):
            raise PolicyError("stages must be listed in the order their days overdue open them")
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise PolicyError("stage names must be unique")
        if self.max_contacts_per_30_days < 1:
            raise PolicyError("max_contacts_per_30_days must be at least 1")
        for stage in self.stages:
            if not 0 <= stage.discount_percent <= self.max_discount_percent:
                raise PolicyError(
                    f"stage {stage.name} offers {stage.discount_percent}% off: the finance "
                    f"lead's limit is {self.max_discount_percent}%"
                )

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    @property
    def earliest_opening(self) -> int:
        return self.stages[0].opens_at_days

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        try:
            stages = tuple(
                Stage(
                    name=s["name"],
                    opens_at_days=int(s["opens_at_days"]),
                    channel=Channel(s["channel"]),
                    template=s.get("template", s["name"]),
                    min_business_days_since_contact=int(
                        s.get("min_business_days_since_contact", 0)
                    ),
                    optional=bool(s.get("optional", False)),
                    repeat_after_business_days=s.get("repeat_after_business_days"),
                    late_payment_rights=bool(s.get("late_payment_rights", False)),
                    letter=bool(s.get("letter", False)),
                    discount_percent=Decimal(str(s.get("discount_percent", 0))),
                )
                for s in data["stages"]
                if s.get("enabled", True)
            )
            limits = data.get("limits", {})
            plans = data.get("plans", {})
            discount = data.get("discount", {})
            opening, closing = data.get("business_hours", ["09:00", "18:00"])
            return cls(
                stages=stages,
                max_contacts_per_30_days=int(limits.get("max_contacts_per_30_days", 3)),
                promise_grace_days=int(limits.get("promise_grace_days", 3)),
                promise_max_days=int(limits.get("promise_max_days", 30)),
                business_hours=(time.fromisoformat(opening), time.fromisoformat(closing)),
                min_balance={k: Decimal(str(v)) for k, v in limits.get("min_balance", {}).items()},
                max_discount_percent=Decimal(str(discount.get("max_percent", 0))),
                discount_days=int(discount.get("pay_within_business_days", 7)),
                plans=PlanLimits(
                    max_instalments=int(plans.get("max_instalments", 6)),
                    longest_span_days=int(plans.get("longest_span_days", 180)),
                    least_first_payment_percent=Decimal(
                        str(plans.get("least_first_payment_percent", 10))
                    ),
                ),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise PolicyError(f"invalid policy: {exc!r}") from exc
