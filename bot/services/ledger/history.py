"""Importing past contacts at go-live, so the ladder continues where the team left off.

All or nothing, like the invoice import: every line's customer and invoices must be known (import
the invoices first). Each contact becomes a contact of the customer's history, which the
escalation reads, and an audit event marked as imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import unit_of_work
from bot.domain.policy import Policy
from bot.importing.history import HistoryLine, read_history
from bot.importing.source import LineError
from bot.models import Contact, Customer, Invoice
from bot.services import audit
from bot.services.ledger._import_table import MAX_ERRORS_KEPT, ImportFailed

#: The outcome recorded on contacts that came from a history file, not from Relance.
IMPORTED = "imported"


@dataclass(frozen=True)
class HistoryReport:
    contacts: int
    customers: int
    already_imported: int  # lines identical to a contact imported before: left alone


def import_history(
    engine: Engine, path: Path, policy: Policy, today: date, *, actor: str = "import"
) -> HistoryReport:
    lines, errors = read_history(path, policy, today)
    with unit_of_work(engine) as session:
        customers = _customers(session, lines, errors)
        _check_invoices(session, lines, customers, errors)
        if errors:
            raise ImportFailed(errors[:MAX_ERRORS_KEPT], len(errors))
        known = _imported_before(session, set(customers.values()))
        fresh = []
        for line in lines:
            key = (customers[line.customer], _noon(line.day), line.stage, line.channel)
            if key not in known:
                known.add(key)
                fresh.append(line)
        for line in fresh:
            session.add(
                Contact(
                    customer_id=customers[line.customer],
                    occurred_at=_noon(line.day),
                    channel=line.channel,
                    stage=line.stage,
                    outcome=IMPORTED,
                    notes=line.note,
                    actor=line.who,
                )
            )
        audit.append_many(
            session,
            [
                audit.NewEvent(
                    kind="contact_imported",
                    actor=actor,
                    customer_id=customers[line.customer],
                    invoice_numbers=line.invoices,
                    channel=line.channel,
                    content={
                        "imported": True,
                        "file": path.name,
                        "line": line.line,
                        "date": line.day.isoformat(),
                        "stage": line.stage,
                        "who": line.who,
                        "note": line.note,
                    },
                )
                for line in fresh
            ],
        )
    return HistoryReport(
        contacts=len(fresh),
        customers=len({customers[line.customer] for line in fresh}),
        already_imported=len(lines) - len(fresh),
    )


def _noon(day: date) -> datetime:
    """A contact known by its day only, stored at noon UTC: the same day in every business zone."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def _customers(
    session: Session, lines: list[HistoryLine], errors: list[LineError]
) -> dict[str, int]:
    """Each customer as written, to its id: by external id, else by a unique exact name."""
    written = {line.customer for line in lines}
    if not written:
        return {}
    folded = {w.casefold() for w in written}
    rows = session.exec(
        select(Customer.id, Customer.external_id, Customer.name).where(
            sa.or_(
                col(Customer.external_id).in_(written),
                sa.func.lower(Customer.name).in_(folded),
            )
        )
    ).all()
    by_id = {external: cid for cid, external, _name in rows}
    by_name: dict[str, set[int]] = {}
    for cid, _external, name in rows:
        by_name.setdefault(name.casefold(), set()).add(cid or 0)
    found: dict[str, int] = {}
    for line in lines:
        if line.customer in by_id:
            found[line.customer] = by_id[line.customer] or 0
            continue
        ids = by_name.get(line.customer.casefold(), set())
        if len(ids) == 1:
            found[line.customer] = next(iter(ids))
        elif ids:
            errors.append(
                LineError(
                    line.line,
                    "customer",
                    f"{len(ids)} customers are named {line.customer!r}: give the customer id",
                )
            )
        else:
            errors.append(
                LineError(
                    line.line,
                    "customer",
                    f"no customer with id or name {line.customer!r} (import the invoices first)",
                )
            )
    return found


def _check_invoices(
    session: Session,
    lines: list[HistoryLine],
    customers: dict[str, int],
    errors: list[LineError],
) -> None:
    numbers = {n for line in lines for n in line.invoices}
    if not numbers:
        return
    owners = dict(
        session.exec(
            select(Invoice.number, Invoice.customer_id).where(col(Invoice.number).in_(numbers))
        ).all()
    )
    for line in lines:
        for number in line.invoices:
            if number not in owners:
                errors.append(LineError(line.line, "invoices", f"no invoice numbered {number!r}"))
            elif line.customer in customers and owners[number] != customers[line.customer]:
                errors.append(
                    LineError(
                        line.line, "invoices", f"invoice {number!r} belongs to another customer"
                    )
                )


def _imported_before(
    session: Session, customer_ids: set[int]
) -> set[tuple[int, datetime, str, str]]:
    rows = session.exec(
        select(Contact.customer_id, Contact.occurred_at, Contact.stage, Contact.channel).where(
            col(Contact.outcome) == IMPORTED, col(Contact.customer_id).in_(customer_ids)
        )
    ).all()
    return {(cid, when.astimezone(UTC), stage, channel) for cid, when, stage, channel in rows}
