"""The escalation policy: an ordered ladder of stages and the limits on contacting customers.

Pure data with its own validation; `bot.config.load_policy` reads it from TOML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.domain.msgid import Refused, phrase
from bot.domain.owners import OwnerRule
from bot.domain.payment_matching import MatchPolicy


class Channel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"
    NONE = "none"  # no automatic message: flagged for a person (hand-off)


class PolicyError(Refused):
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
    label: str = ""  # how staff see it on a card ("Firm reminder"); defaults from the name
    icon: str = ""  # shown before the customer's name on a card
    #: the label in other staff languages (`labels = { fr = "Relance amiable" }`)
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def title_in(self, language: str) -> str:
        """The label staff read in `language` (`RELANCE_LOCALE`'s), else the main label."""
        return dict(self.labels).get(language, self.title)

    @property
    def pre_due(self) -> bool:
        """A note about invoices coming due (a courtesy), not a chase of late ones."""
        return self.opens_at_days <= 0

    #: With no contact yet in the episode, a customer this many days late starts here (a ledger
    #: taken over at go-live without history): the earlier stages are not sent.
    first_contact_from_days: int | None = None
    in_channel: bool = False  # its cards go to the digest's thread even when owned
    auto_approve: AutoApproval | None = None  # approved by the policy unless stopped first

    @property
    def never_automatic(self) -> bool:
        """Final notices, calls, letters and hand-offs always wait for a person."""
        return self.channel is not Channel.EMAIL or self.late_payment_rights or self.letter


@dataclass(frozen=True)
class AutoApproval:
    """Approve a stage's suggestion at `at` (the customer's local time) unless someone skips
    or edits it before; only under `under` in its currency when that is given."""

    at: time
    under: dict[str, Decimal] = field(default_factory=dict)

    def applies(self, balances: dict[str, Decimal]) -> bool:
        if not self.under:
            return True
        return len(balances) == 1 and all(
            c in self.under and amount < self.under[c] for c, amount in balances.items()
        )

    def rule(self, stage: str) -> str:
        under = ", ".join(f"{c} {v}" for c, v in sorted(self.under.items()))
        return f"stage {stage}: auto-approve at {self.at:%H:%M}" + (
            f" under {under}" if under else ""
        )


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
    said_paid_hold_days: int = 7  # "customer says paid": held this long for the next import
    business_hours: tuple[time, time] = (time(9), time(18))
    min_balance: dict[str, Decimal] = field(default_factory=dict)
    plans: PlanLimits = field(default_factory=PlanLimits)
    max_discount_percent: Decimal = Decimal(0)  # the lead's ceiling for any stage's discount
    discount_days: int = 7  # business days to pay and take the discount
    owners: tuple[OwnerRule, ...] = ()  # who chases whom when the customer names nobody
    promise_max_days: int = 30  # a customer may promise (on their page) at most this far ahead
    cash: MatchPolicy = field(default_factory=MatchPolicy)  # bank payments applied by themselves
    ooo_max_hold_days: int = 14  # an out-of-office answer holds the ladder at most this long

    def __post_init__(self) -> None:
        if not self.stages:
            raise PolicyError(phrase("the policy has no stages"))
        if all(s.pre_due for s in self.stages):
            raise PolicyError(
                phrase("every stage opens before the due date: none chases late invoices")
            )
        opens = [s.opens_at_days for s in self.stages]
        if opens != sorted(opens):
            raise PolicyError(
                phrase("stages must be listed in the order their days overdue open them")
            )
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise PolicyError(phrase("stage names must be unique"))
        if self.max_contacts_per_30_days < 1:
            raise PolicyError(phrase("max_contacts_per_30_days must be at least 1"))
        if self.said_paid_hold_days < 0:
            raise PolicyError(phrase("said_paid_hold_days cannot be negative"))
        if self.ooo_max_hold_days < 0:
            raise PolicyError(phrase("ooo_max_hold_days cannot be negative"))
        for stage in self.stages:
            if not 0 <= stage.discount_percent <= self.max_discount_percent:
                raise PolicyError(
                    phrase(
                        "stage {stage} offers a discount of {percent}%, above the finance "
                        "lead's limit of {limit}%",
                        stage=stage.name,
                        percent=stage.discount_percent,
                        limit=self.max_discount_percent,
                    )
                )
            if stage.auto_approve is not None and stage.never_automatic:
                raise PolicyError(
                    phrase(
                        "stage {stage} may not be approved automatically: final notices, "
                        "calls, letters and hand-offs always wait for a person",
                        stage=stage.name,
                    )
                )

    def check_final_notice_deadline(self, final_notice_days: int) -> None:
        """The hand-off never opens before the final notice's deadline: a final notice gives the
        customer `final_notice_days` business days, so a hand-off after it must wait more
        business days than that since the last contact. Raises PolicyError naming the stage."""
        final = None
        for stage in self.stages:
            if stage.letter or stage.late_payment_rights:
                final = stage
            elif (
                stage.channel is Channel.NONE
                and final is not None
                and stage.min_business_days_since_contact <= final_notice_days
            ):
                raise PolicyError(
                    phrase(
                        "stage {stage} may open {days} business day(s) after the {final} "
                        "notice, whose deadline is {deadline} business days: set its "
                        "min_business_days_since_contact to at least {least}",
                        stage=stage.name,
                        days=stage.min_business_days_since_contact,
                        final=final.name,
                        deadline=final_notice_days,
                        least=final_notice_days + 1,
                    )
                )

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def find_stage(self, name: str) -> Stage | None:
        """The stage of that name, or None (a stage since removed, a thank-you note)."""
        return next((s for s in self.stages if s.name == name), None)

    @property
    def earliest_opening(self) -> int:
        return self.stages[0].opens_at_days

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Policy | None = None) -> Policy:
        """The policy `data` describes; what it does not set is `base`'s (a segment's policy
        over the main one), else the defaults."""
        try:
            if base is not None and "stages" not in data:
                return replace(base, **_settings(data, base))
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
                    label=str(s.get("label", "")),
                    icon=str(s.get("icon", "")),
                    labels=tuple(
                        (str(lang), str(text)) for lang, text in s.get("labels", {}).items()
                    ),
                    first_contact_from_days=s.get("first_contact_from_days"),
                    in_channel=bool(s.get("in_channel", False)),
                    auto_approve=_auto_approval(s.get("auto_approve")),
                )
                for s in data["stages"]
                if s.get("enabled", True)
            )
            if base is not None:
                return replace(base, stages=stages, **_settings(data, base))
            return cls(stages=stages, **_settings(data, None))
        except (KeyError, ValueError, TypeError) as exc:
            raise PolicyError(phrase("invalid policy: {error}", error=repr(exc))) from exc


def _settings(data: Mapping[str, Any], base: Policy | None) -> dict[str, Any]:
    """The policy's settings other than its stages that `data` sets; with no `base`, every
    one (the defaults where `data` is silent)."""
    limits, plans, discount = (data.get(t, {}) for t in ("limits", "plans", "discount"))
    found: dict[str, Any] = {}
    for table, key, name, read in (
        (limits, "max_contacts_per_30_days", "max_contacts_per_30_days", int),
        (limits, "promise_grace_days", "promise_grace_days", int),
        (limits, "said_paid_hold_days", "said_paid_hold_days", int),
        (limits, "promise_max_days", "promise_max_days", int),
        (limits, "ooo_max_hold_days", "ooo_max_hold_days", int),
        (discount, "max_percent", "max_discount_percent", _decimal),
        (discount, "pay_within_business_days", "discount_days", int),
    ):
        if key in table:
            found[name] = read(table[key])
    if "min_balance" in limits:
        found["min_balance"] = {k: _decimal(v) for k, v in limits["min_balance"].items()}
    if "business_hours" in data:
        opening, closing = data["business_hours"]
        found["business_hours"] = (time.fromisoformat(opening), time.fromisoformat(closing))
    if "cash" in data:
        found["cash"] = MatchPolicy.from_dict(data["cash"])
    if "owners" in data:
        found["owners"] = tuple(OwnerRule.from_dict(r) for r in data["owners"])
    limits_of = base.plans if base is not None else PlanLimits()
    changed: dict[str, Any] = {
        name: read(plans[name])
        for name, read in (
            ("max_instalments", int),
            ("longest_span_days", int),
            ("least_first_payment_percent", _decimal),
        )
        if name in plans
    }
    if changed or base is None:
        found["plans"] = replace(limits_of, **changed)
    return found


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))


def _auto_approval(data: dict[str, Any] | None) -> AutoApproval | None:
    if data is None:
        return None
    return AutoApproval(
        at=time.fromisoformat(data["at"]),
        under={k.upper(): Decimal(str(v)) for k, v in data.get("under", {}).items()},
    )
