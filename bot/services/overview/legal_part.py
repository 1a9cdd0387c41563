"""The legal part of a final notice, in full, for the person who approves it: the statute
cited, the rate and where it comes from, the fixed compensation and the interest of each
invoice, and the total claimed. Figured by the same functions that wrote the notice and its
letter (`rendering.context.charges_for`, `claimed`), on the day it was written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.calendar import local_today
from bot.domain.late_payment import LateCharges, Law, LawBook, ReferenceRates
from bot.domain.money import Money
from bot.rendering.context import charges_for, charges_warnings, claimed
from bot.services.overview.reminder_view import InvoiceLine, load_view
from bot.services.reminders.drafting import Drafter


@dataclass(frozen=True)
class LegalPart:
    reminder_id: int
    customer_name: str
    locale: str  # the customer's: amounts read as on the notice
    language: str  # the notice's: the statute is cited in it
    governing_law: str  # the country code whose law applies
    law: Law | None  # None: no statutory regime known for that country
    rates: ReferenceRates | None  # the reference rate table the law builds on
    on: date  # the day the notice was written: its figures are of that day
    invoices: list[InvoiceLine]
    charges: list[LateCharges]  # per invoice past due
    claimed: list[Money]  # by currency: balances, interest and compensation
    warnings: list[str]


def legal_part(
    drafter: Drafter, laws: LawBook, company_country: str, reminder_id: int
) -> LegalPart:
    """LookupError for a reminder that does not exist."""
    view = load_view(drafter, reminder_id)
    # the company's own law unless the customer's contracts say otherwise, as on the notice
    code = view.governing_law or company_country
    at = view.suggested_at
    on = local_today(at, view.timezone) if at else view.run_date
    law = laws.law(code)
    charges = charges_for(view.invoices, law, on, laws.rates)
    return LegalPart(
        reminder_id=reminder_id,
        customer_name=view.customer_name,
        locale=view.locale,
        language=view.language,
        governing_law=code,
        law=law,
        rates=laws.rates.get(law.reference) if law else None,
        on=on,
        invoices=view.invoices,
        charges=charges,
        claimed=claimed([i.balance for i in view.invoices], charges),
        warnings=charges_warnings(charges),
    )
