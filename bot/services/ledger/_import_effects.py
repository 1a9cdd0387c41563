"""What an accepted import changes: invoices closed, moved between customers, reversed or paid,
each with its audit event, and the ledger rows written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import col

from bot.domain.money import from_minor, open_minor
from bot.domain.msgid import Phrase
from bot.domain.states import CLOSED
from bot.importing.mapping import Mapping
from bot.models import Invoice, UTCDateTime, utcnow
from bot.services import audit

#: Customer columns and the import fields that feed them; a column is only overwritten on
#: re-import when the mapping provides its field, so an export without e-mails keeps them.
_CUSTOMER_UPDATES = {
    "name": "customer_name",
    "contact_name": "contact_name",
    "salutation": "salutation",
    "email": "email",
    "phone": "phone",
    "language": "language",
    "country": "country",
    "timezone": "timezone",
    "notes": "notes",
    "address": "address",
    "governing_law": "governing_law",
    "owner": "owner",
    "segment": "segment",
}


@dataclass(frozen=True)
class ImportReport:
    lines: int
    customers_created: int
    customers_updated: int
    invoices_created: int
    invoices_updated: int
    payments_recorded: int
    paid_in_full: tuple[str, ...] = ()  # invoice numbers this import shows fully paid
    #: shown open by the ledger although a bank payment was applied: kept paid, for a person
    discrepancies: tuple[str, ...] = ()
    #: One line per invoice whose tool gives a balance other than total − paid (a credit
    #: allocated in the tool, say): the tool's balance is imported, the difference shown.
    disagreements: tuple[Phrase, ...] = ()


def _closed(conn: Connection) -> list[sa.Row[Any]]:
    """Invoices this file shows void or written off that were not already so."""
    return list(
        conn.execute(
            sa.text(
                "SELECT s.invoice_number AS number, s.status, s.currency,"
                " s.amount_minor - s.paid_minor AS balance_minor"
                " FROM import_staging s LEFT JOIN invoice i ON i.number = s.invoice_number"
                " WHERE s.status IN :closed"
                " AND (i.status IS NULL OR i.status <> s.status) ORDER BY s.line"
            ).bindparams(sa.bindparam("closed", expanding=True)),
            {"closed": list(CLOSED)},
        ).all()
    )


def _owners(conn: Connection, numbers: list[str]) -> dict[str, int]:
    """Each invoice's customer as the import left it (a customer may be new)."""
    return dict(
        conn.execute(
            sa.select(col(Invoice.number), col(Invoice.customer_id)).where(
                col(Invoice.number).in_(numbers)
            )
        ).all()
    )


def _closed_events(conn: Connection, closed: list[sa.Row[Any]], actor: str) -> list[audit.NewEvent]:
    """One audit event per invoice closed, once its customer is known (it may be new)."""
    if not closed:
        return []
    owners = _owners(conn, [c.number for c in closed])
    return [
        audit.NewEvent(
            kind="invoice_closed",
            actor=actor,
            customer_id=owners[row.number],
            invoice_numbers=(row.number,),
            content={
                "status": row.status,
                "currency": row.currency,
                "balance_closed": str(from_minor(row.balance_minor, row.currency)),
            },
        )
        for row in closed
    ]


def _count(
    conn: Connection,
    mapping: Mapping,
    lines: int,
    payments: list[sa.Row[Any]],
    disagreements: tuple[Phrase, ...],
) -> ImportReport:
    """Count what the upsert will create and update, before it runs."""

    def count(sql: str) -> int:
        return int(conn.execute(sa.text(sql)).scalar_one())

    customers = count("SELECT COUNT(DISTINCT customer_external_id) FROM import_staging")
    invoices = count("SELECT COUNT(*) FROM import_staging")
    known_customers = count(
        "SELECT COUNT(*) FROM customer c WHERE c.external_id IN "
        "(SELECT customer_external_id FROM import_staging)"
    )
    known_invoices = count(
        "SELECT COUNT(*) FROM import_staging s JOIN invoice i ON i.number = s.invoice_number"
    )
    changed = count(
        "SELECT COUNT(*) FROM import_staging s JOIN invoice i ON i.number = s.invoice_number "
        "JOIN customer c ON c.external_id = s.customer_external_id WHERE "
        + _invoice_changed(mapping, "i", "s", "c.id")
    )
    return ImportReport(
        lines=lines,
        customers_created=customers - known_customers,
        customers_updated=known_customers,
        invoices_created=invoices - known_invoices,
        invoices_updated=changed,
        payments_recorded=len(payments),
        paid_in_full=tuple(p.number for p in payments if p.after_minor >= p.amount_minor),
        disagreements=disagreements,
    )


def _tracks_payments(mapping: Mapping) -> bool:
    return any(mapping.provides(f) for f in ("amount_paid", "balance", "status"))


def _invoice_columns(mapping: Mapping) -> list[str]:
    """Invoice columns a re-import may overwrite: those the mapping actually carries."""
    columns = ["customer_id", "currency", "amount_minor", "issue_date", "due_date"]
    if _tracks_payments(mapping):
        columns.append("paid_minor")
    if mapping.provides("payment_link"):
        columns.append("payment_link")
    if mapping.provides("status"):
        columns.append("status")
    if mapping.provides("pdf"):
        columns.append("pdf")
    return columns


def _invoice_changed(mapping: Mapping, old: str, new: str, customer_id: str) -> str:
    def source(col: str) -> str:
        return customer_id if col == "customer_id" else f"{new}.{col}"

    return " OR ".join(f"{old}.{col} <> {source(col)}" for col in _invoice_columns(mapping))


def _payments(conn: Connection, mapping: Mapping) -> list[sa.Row[Any]]:
    if not _tracks_payments(mapping):
        return []
    return list(
        conn.execute(
            sa.text(
                "SELECT i.number, i.customer_id, i.currency, i.paid_minor AS before_minor,"
                " s.paid_minor AS after_minor, s.amount_minor"
                " FROM import_staging s JOIN invoice i ON i.number = s.invoice_number"
                " WHERE s.paid_minor > i.paid_minor AND s.amount_minor > 0 ORDER BY s.line"
            )
        ).all()
    )


def _moves(conn: Connection) -> list[sa.Row[Any]]:
    """Known invoices this file puts under another customer."""
    return list(
        conn.execute(
            sa.text(
                "SELECT s.line, s.invoice_number AS number, c.external_id AS before,"
                " s.customer_external_id AS after, c.id AS before_id"
                " FROM import_staging s JOIN invoice i ON i.number = s.invoice_number"
                " JOIN customer c ON c.id = i.customer_id"
                " WHERE c.external_id <> s.customer_external_id ORDER BY s.line"
            )
        ).all()
    )


def _move_events(conn: Connection, moves: list[sa.Row[Any]], actor: str) -> list[audit.NewEvent]:
    if not moves:
        return []
    owners = _owners(conn, [m.number for m in moves])
    return [
        audit.NewEvent(
            kind="invoice_reassigned",
            actor=actor,
            customer_id=owners[m.number],
            invoice_numbers=(m.number,),
            content={"from_customer": m.before, "to_customer": m.after},
        )
        for m in moves
    ]


def _reversals(conn: Connection, mapping: Mapping) -> list[sa.Row[Any]]:
    """Invoices this file shows less paid than before: a payment taken back."""
    if not _tracks_payments(mapping):
        return []
    return list(
        conn.execute(
            sa.text(
                "SELECT i.number, i.customer_id, i.currency, i.paid_minor AS before_minor,"
                " s.paid_minor AS after_minor, s.amount_minor"
                " FROM import_staging s JOIN invoice i ON i.number = s.invoice_number"
                " WHERE s.paid_minor < i.paid_minor AND s.amount_minor > 0 ORDER BY s.line"
            )
        ).all()
    )


def _reversal_event(row: sa.Row[Any], actor: str) -> audit.NewEvent:
    return audit.NewEvent(
        kind="payment_reversed",
        actor=actor,
        customer_id=row.customer_id,
        invoice_numbers=(row.number,),
        content={
            "currency": row.currency,
            "reversed": str(from_minor(row.before_minor - row.after_minor, row.currency)),
            "paid_total": str(from_minor(row.after_minor, row.currency)),
            "balance": str(from_minor(row.amount_minor - row.after_minor, row.currency)),
        },
    )


def _payment_event(row: sa.Row[Any], actor: str) -> audit.NewEvent:
    currency = row.currency
    return audit.NewEvent(
        kind="payment",
        actor=actor,
        customer_id=row.customer_id,
        invoice_numbers=(row.number,),
        content={
            "currency": currency,
            "received": str(from_minor(row.after_minor - row.before_minor, currency)),
            "paid_total": str(from_minor(row.after_minor, currency)),
            "balance": str(from_minor(open_minor(row.amount_minor, row.after_minor), currency)),
        },
    )


def _apply(conn: Connection, mapping: Mapping) -> None:
    now = sa.bindparam("now", utcnow(), type_=UTCDateTime())
    customer_sets = [c for c, f in _CUSTOMER_UPDATES.items() if mapping.provides(f)]
    customer_sets.append("currency")
    conn.execute(
        sa.text(
            "INSERT INTO customer (external_id, name, contact_name, salutation, email, phone,"
            " language, country, timezone, currency, notes, address, governing_law, owner, segment,"
            " created_at, updated_at)"
            " SELECT customer_external_id, customer_name, contact_name, salutation, email, phone,"
            " language, country, timezone, currency, notes, address, governing_law, owner, segment,"
            " :now, :now FROM ("
            "  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY customer_external_id ORDER BY line DESC)"
            "  AS newest FROM import_staging s) latest WHERE newest = 1"
            " ON CONFLICT (external_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in customer_sets)
            + ", updated_at = excluded.updated_at"
        ).bindparams(now)
    )
    columns = _invoice_columns(mapping)
    conn.execute(
        sa.text(
            "INSERT INTO invoice (number, customer_id, currency, amount_minor, paid_minor, issue_date,"
            " due_date, payment_link, status, pdf, created_at, updated_at)"
            " SELECT s.invoice_number, c.id, s.currency, s.amount_minor, s.paid_minor, s.issue_date,"
            " s.due_date, s.payment_link, s.status, s.pdf, :now, :now"
            " FROM import_staging s JOIN customer c ON c.external_id = s.customer_external_id"
            " WHERE true ON CONFLICT (number) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in columns)
            + ", updated_at = excluded.updated_at WHERE "
            + _invoice_changed(mapping, "invoice", "excluded", "excluded.customer_id")
        ).bindparams(now)
    )
