"""Who chases a customer: the owner named on the customer, else the first rule of the policy
that matches (country, currency, amount band), else nobody (the digest's thread then has it).

Amount bands are in one currency: balances in different currencies are never compared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.msgid import Refused, phrase


class OwnerError(Refused):
    """Text that names no Slack user."""


_SLACK_USER = re.compile(r"^<?@?([UW][A-Z0-9]{2,20})(\|[^>]*)?>?$")


def parse_owner(text: str) -> str:
    """A Slack user id from `U0123ABC`, `@U0123ABC` or a mention `<@U0123ABC>`; '' stays ''."""
    text = text.strip()
    if not text:
        return ""
    match = _SLACK_USER.match(text)
    if match is None:
        raise OwnerError(
            phrase(
                "{text} is not a Slack user id (e.g. U0123ABCD or <@U0123ABCD>)",
                text=repr(text[:40]),
            )
        )
    return match.group(1)


@dataclass(frozen=True)
class Match:
    """Which customers a rule is for: a country, a currency, a band of the balance in that
    currency (min inclusive, max exclusive). An empty match takes everyone."""

    country: str | None = None
    currency: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.min_amount is not None or self.max_amount is not None) and not self.currency:
            raise ValueError("an amount band needs its currency")

    def matches(self, country: str, balances: Mapping[str, Decimal]) -> bool:
        if self.country and self.country != country:
            return False
        if self.currency is None:
            return True
        balance = balances.get(self.currency)
        if balance is None:
            return False
        if self.min_amount is not None and balance < self.min_amount:
            return False
        return self.max_amount is None or balance < self.max_amount

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Match:
        def amount(key: str) -> Decimal | None:
            value = data.get(key)
            return None if value is None else Decimal(str(value))

        country, currency = data.get("country"), data.get("currency")
        return cls(
            country=str(country).upper() if country else None,
            currency=str(currency).upper() if currency else None,
            min_amount=amount("min_amount"),
            max_amount=amount("max_amount"),
        )


@dataclass(frozen=True)
class OwnerRule:
    owner: str
    match: Match = Match()

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> OwnerRule:
        try:
            return cls(parse_owner(str(data["owner"])), Match.from_dict(data))
        except (KeyError, ValueError) as exc:
            raise ValueError(f"owner rule {dict(data)}: {exc}") from None


def owner_for(
    named: str, rules: tuple[OwnerRule, ...], country: str, balances: Mapping[str, Decimal]
) -> str:
    """The customer's owner: the one named on it, else the first matching rule's, else ''."""
    if named:
        return named
    return next((r.owner for r in rules if r.match.matches(country, balances)), "")
