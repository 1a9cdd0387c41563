"""Putting a bank line's money on invoices, and taking it off again when the bank reverses it:
the writes shared by an import (rule 1, or rule 2 when the policy allows) and by a person's
decision. Each application is an audit event naming the file, the entry, the rule and who
decided; what it pays in full is overtaken at once (services/overtaken.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.db import insert_rows
from bot.domain.money import from_minor
from bot.domain.msgid import Phrase, Said, phrase
from bot.models import BankLine, CashApplication, Invoice, PayerIban
from bot.services import audit
from bot.services.common.queries import stored_id
from bot.services.reminders.overtaken import NOTHING, Touched, overtake_many


class BalanceChanged(Said):
    """An invoice no longer owes what the line would pay (someone applied or imported a
    payment meanwhile): nothing of the line is applied."""


_APPLICATION = ("line_id", "invoice_id", "amount_minor", "rule", "decided_by", "applied_at")


@dataclass(frozen=True)
class Paying:
    """One line's money to put on invoices, in minor units."""

    line_id: int
    customer_id: int
    currency: str
    reference: str
    file_name: str
    rule: int
    amounts: tuple[tuple[str, int], ...]  # (invoice number, minor)
    unapplied: int = 0


@dataclass(frozen=True)
class Paid:
    customer_id: int
    numbers: tuple[str, ...]
    closed: tuple[str, ...]  # paid in full by it


def _invoices(session: Session, numbers: Iterable[str]) -> dict[str, tuple[int, int, int]]:
    """number → (id, amount, paid) of these invoices."""
    wanted = sorted(set(numbers))
    found: dict[str, tuple[int, int, int]] = {}
    for start in range(0, len(wanted), 5000):
        for number, key, amount, paid in session.connection().execute(
            sa.select(
                col(Invoice.number),
                col(Invoice.id),
                col(Invoice.amount_minor),
                col(Invoice.paid_minor),
            ).where(col(Invoice.number).in_(wanted[start : start + 5000]))
        ):
            found[number] = (stored_id(key), amount, paid)
    return found


def pay(session: Session, payings: Sequence[Paying], actor: str, now: datetime) -> list[Paid]:
    """Apply these lines in the caller's transaction: each invoice's paid amount raised only
    while it still owes that much (else `BalanceChanged`, and the caller rolls back), one
    application row per invoice, one audit event per line."""
    invoices = _invoices(session, (n for p in payings for n, _m in p.amounts))
    updates: list[dict[str, int]] = []
    rows: list[tuple[object, ...]] = []
    events: list[audit.NewEvent] = []
    paid: list[Paid] = []
    owed = {number: amount - already for number, (_k, amount, already) in invoices.items()}
    for paying in payings:
        closed = []
        for number, minor in paying.amounts:
            if number not in invoices or owed[number] < minor:
                raise BalanceChanged(
                    phrase(
                        "{number} no longer owes {amount}",
                        number=number,
                        amount=str(from_minor(minor, paying.currency)),
                    )
                )
            owed[number] -= minor
            if owed[number] == 0:
                closed.append(number)
            key = invoices[number][0]
            updates.append({"key": key, "minor": minor})
            rows.append((paying.line_id, key, minor, paying.rule, actor, now))
        numbers = tuple(n for n, _m in paying.amounts)
        paid.append(Paid(paying.customer_id, numbers, tuple(closed)))
        events.append(_applied_event(paying, numbers, actor))
    if updates:
        done = session.connection().execute(
            sa.update(Invoice)
            .where(
                col(Invoice.id) == sa.bindparam("key"),
                col(Invoice.amount_minor) - col(Invoice.paid_minor) >= sa.bindparam("minor"),
            )
            .values(paid_minor=col(Invoice.paid_minor) + sa.bindparam("minor"), updated_at=now)
            .execution_options(synchronize_session=False),
            updates,
        )
        if done.rowcount not in (-1, len(updates)):  # a concurrent payment came first
            raise BalanceChanged(
                phrase("an invoice's balance changed while the statement was applied")
            )
        insert_rows(session.connection(), CashApplication, _APPLICATION, rows)
    audit.append_many(session, events)
    return paid


def _applied_event(paying: Paying, numbers: tuple[str, ...], actor: str) -> audit.NewEvent:
    """A line's application as the trail records it: what it paid, by which rule, what is left."""
    return audit.NewEvent(
        kind="cash_applied",
        actor=actor,
        customer_id=paying.customer_id,
        invoice_numbers=numbers,
        channel="bank",
        content={
            "file": paying.file_name,
            "entry": paying.reference,
            "rule": paying.rule,
            "amounts": {n: str(from_minor(m, paying.currency)) for n, m in paying.amounts},
            "currency": paying.currency,
            "unapplied": str(from_minor(paying.unapplied, paying.currency)),
            "line": paying.line_id,
        },
    )


def overtake_paid(session: Session, paid: Sequence[Paid], actor: str, by_hand: bool) -> Touched:
    """What the payments closed (`by_hand`: applied by `actor`) is no longer chased: the suggestions that chase it expire,
    its queued e-mails are stopped, each saying why (the customers' reminders read a batch of
    customers at a time: a statement pays thousands, most with none)."""
    closed: dict[int, list[str]] = {}
    for one in paid:
        closed.setdefault(one.customer_id, []).extend(one.closed)
    facts = {
        customer_id: (sorted(numbers), _paid_fact(sorted(numbers), actor, by_hand))
        for customer_id, numbers in closed.items()
        if numbers
    }
    return overtake_many(session, facts, actor) if facts else NOTHING


def _paid_fact(numbers: list[str], actor: str, by_hand: bool) -> Phrase:
    if by_hand:
        return phrase(
            "{numbers} paid by bank transfer, applied by {who}",
            numbers=", ".join(numbers),
            who=actor,
        )
    return phrase("{numbers} paid by bank transfer", numbers=", ".join(numbers))


def undo(
    session: Session, line: BankLine, actor: str, reversal_reference: str, now: datetime
) -> None:
    """The bank reversed `line`: what it applied comes off its invoices again (they are
    chased again from the next morning), each application marked undone, with an audit event."""
    applications = session.exec(
        select(CashApplication).where(
            col(CashApplication.line_id) == line.id, col(CashApplication.undone_at).is_(None)
        )
    ).all()
    numbers: list[str] = []
    for application in applications:
        invoice = session.get(Invoice, application.invoice_id)
        assert invoice is not None  # the foreign key
        invoice.paid_minor -= application.amount_minor
        invoice.updated_at = now
        application.undone_at = now
        numbers.append(invoice.number)
    audit.append(
        session,
        audit.NewEvent(
            kind="cash_reversed",
            actor=actor,
            customer_id=line.customer_id,
            invoice_numbers=tuple(numbers),
            channel="bank",
            content={"line": line.id, "entry": line.reference, "reversal": reversal_reference},
        ),
    )


def learn_iban(session: Session, line: BankLine, customer_id: int, actor: str) -> bool:
    """A person applied a payment from this IBAN to this customer: remembered (audited), so the
    next one from it is suggested. False when it was known already."""
    if not line.payer_iban:
        return False
    known = session.connection().scalar(
        sa.select(col(PayerIban.id)).where(
            col(PayerIban.iban) == line.payer_iban, col(PayerIban.customer_id) == customer_id
        )
    )
    if known is not None:
        return False
    session.add(
        PayerIban(iban=line.payer_iban, customer_id=customer_id, learnt_by=actor, line_id=line.id)
    )
    audit.append(
        session,
        audit.NewEvent(
            kind="payer_iban_learnt",
            actor=actor,
            customer_id=customer_id,
            channel="bank",
            content={"iban": line.payer_iban, "line": line.id},
        ),
    )
    return True
