"""Holds: what a skip reason means for the days after it.

"The customer says it is paid" holds the customer for a few days, long enough for the payment
to reach the ledger and the next import to close the invoices; after that, chasing resumes if
they are still open. "Wrong contact" holds the customer until an import brings another e-mail
address: writing again to the wrong person helps no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.msgid import Phrase, phrase


class HoldKind(StrEnum):
    SAID_PAID = "said_paid"
    WRONG_CONTACT = "wrong_contact"


#: skip reason (the skip form's key) -> the hold it puts on the customer
HOLD_FOR_SKIP = {"paid": HoldKind.SAID_PAID, "wrong_contact": HoldKind.WRONG_CONTACT}


@dataclass(frozen=True)
class Hold:
    kind: HoldKind
    until: date | None = None  # the last day held ("said paid"); None: until the contact changes

    def holds_on(self, today: date) -> bool:
        return self.until is None or today <= self.until

    @property
    def detail(self) -> Phrase:
        if self.kind is HoldKind.SAID_PAID:
            if self.until is None:
                return phrase("the customer says it is paid: held until the next import")
            return phrase(
                "the customer says it is paid: held until {date}, pending the next import",
                date=self.until.isoformat(),
            )
        return phrase("the contact is wrong: held until an import changes the e-mail address")


def said_paid(today: date, days: int) -> Hold:
    """The customer says it is paid (a skip's reason, or their own word on their page): held
    `days` from `today`, for the payment to reach the ledger."""
    return Hold(HoldKind.SAID_PAID, today + timedelta(days=days))


def hold_after_skip(reason_key: str, today: date, said_paid_days: int) -> Hold | None:
    """The hold a skip puts on its customer, if its reason has one."""
    kind = HOLD_FOR_SKIP.get(reason_key)
    if kind is HoldKind.SAID_PAID:
        return said_paid(today, said_paid_days)
    if kind is HoldKind.WRONG_CONTACT:
        return Hold(kind)
    return None


def current_hold(kind: str, until: date | None, email_then: str, email_now: str) -> Hold | None:
    """The hold stored on a customer as it stands: a wrong-contact hold ends when the address
    the skip was about is no longer the customer's."""
    if not kind:
        return None
    hold = Hold(HoldKind(kind), until)
    if hold.kind is HoldKind.WRONG_CONTACT and email_now != email_then:
        return None
    return hold
