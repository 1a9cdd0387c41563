"""The statutory late-payment calculator staff use to answer "how much interest do we claim":
one debt, one governing law, one day — each rate period, the interest, the compensation and the
law cited. Behind `relance late-charges`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.late_payment import LateCharges, LawBook, late_charges
from bot.domain.money import AmountError, Money, is_currency, parse_amount, to_minor


class BadQuestion(ValueError):
    """A question the calculator cannot answer as asked (unknown law, bad amount, dates)."""


@dataclass(frozen=True)
class Answer:
    law: str
    debt: Money
    due: date
    on: date
    charges: LateCharges | None  # None: not past due on that day
    language: str = "en"

    def to_dict(self) -> dict[str, Any]:
        c = self.charges
        return {
            "law": self.law,
            "currency": self.debt.currency,
            "amount": str(self.debt.amount),
            "due": self.due.isoformat(),
            "on": self.on.isoformat(),
            "days": c.days if c else 0,
            "periods": [
                {
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "days": p.days,
                    "reference_fixed_on": p.fixed_on.isoformat(),
                    "reference_rate": str(p.reference),
                    "rate": str(p.rate),
                }
                for p in (c.periods if c else ())
            ],
            "interest": str(c.interest.amount) if c else "0",
            "compensation": str(c.compensation.amount) if c and c.compensation else None,
            "compensation_currency": c.compensation.currency if c and c.compensation else None,
            "note": c.compensation_note if c else "not past due on that day: nothing is owed",
            "rates_known_until": c.stale_as_of.isoformat() if c and c.stale_as_of else None,
            "citation": c.law.citation(self.language) if c else "",
            "source": c.law.source if c else "",
        }

    def lines(self) -> list[str]:
        c = self.charges
        head = f"{self.debt.format('en')} due {self.due.isoformat()}, on {self.on.isoformat()}"
        if c is None:
            return [head, "Not past due on that day: nothing is owed."]
        lines = [f"{head} — {c.law.name}: {c.days} day(s) late", ""]
        for p in c.periods:
            lines.append(
                f"  {p.start.isoformat()} to {p.end.isoformat()}: {p.days:>4} day(s) at "
                f"{p.rate}% (reference {p.reference}% on {p.fixed_on.isoformat()})"
            )
        lines += ["", f"Interest:     {c.interest.format('en')}"]
        if c.compensation:
            lines.append(f"Compensation: {c.compensation.format('en')}")
        else:
            lines.append(f"Compensation: none added — {c.compensation_note}")
        if c.stale_as_of:
            lines.append(
                f"Warning: the {c.law.reference} rates are known up to "
                f"{c.stale_as_of.isoformat()}; a later period uses the last rate known"
            )
        lines += [f"Law: {c.law.citation(self.language)}", f"Source: {c.law.source}"]
        return lines


def calculate(
    laws: LawBook, law: str, currency: str, amount: str, due: date, on: date, language: str = "en"
) -> Answer:
    """Raises BadQuestion for a question that cannot be answered, LookupError when the rate
    tables do not reach back to the due date."""
    found = laws.law(law)
    if found is None:
        known = ", ".join(sorted(laws.laws))
        raise BadQuestion(f"no statutory regime is known for {law!r} (known: {known})")
    currency = currency.strip().upper()
    if not is_currency(currency):
        raise BadQuestion(f"{currency!r} is not a currency in use (ISO 4217, e.g. EUR, GBP)")
    try:
        value = parse_amount(amount)
        to_minor(value, currency)  # refuses more decimals than the currency has
    except (AmountError, ValueError) as exc:
        raise BadQuestion(f"amount: {exc}") from None
    if value <= 0:
        raise BadQuestion("amount: must be more than zero")
    if on < due:
        raise BadQuestion("--on is before --due")
    debt = Money(value, currency)
    charges = late_charges(
        invoice_number="", debt=debt, due_date=due, on=on, law=found, rates=laws.rates
    )
    return Answer(found.code, debt, due, on, charges, language)
