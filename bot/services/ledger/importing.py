"""Importing invoices: all or nothing, every bad line named, re-imports update in place.

Valid lines are streamed into a temporary staging table inside the import's transaction; checks
that span lines (duplicate invoice numbers) and the upserts then run as set-based SQL. Any error
rolls the whole transaction back, so the database is exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from bot.db import unit_of_work
from bot.domain.calendar import local_today
from bot.domain.money import from_minor, open_minor
from bot.domain.msgid import Phrase, phrase
from bot.domain.settlement import Conflict, Entry, settle
from bot.domain.states import CLOSED, InvoiceStatus
from bot.importing.mapping import Mapping
from bot.importing.rows import LineReader, RowInvalid
from bot.importing.source import CsvSource, LineError
from bot.models import Invoice, UTCDateTime, utcnow
from bot.services import audit
from bot.services.cash.reconcile import keep_applied

BATCH_SIZE = 2000
MAX_ERRORS_KEPT = 1000

_staging_metadata = sa.MetaData()
STAGING = sa.Table(
    "import_staging",
    _staging_metadata,
    sa.Column("line", sa.Integer, primary_key=True),
    sa.Column("customer_external_id", sa.String),
    sa.Column("customer_name", sa.String),
    sa.Column("contact_name", sa.String),
    sa.Column("salutation", sa.String),
    sa.Column("email", sa.String),
    sa.Column("phone", sa.String),
    sa.Column("language", sa.String),
    sa.Column("country", sa.String),
    sa.Column("timezone", sa.String),
    sa.Column("notes", sa.String),
    sa.Column("address", sa.String),
    sa.Column("governing_law", sa.String),
    sa.Column("owner", sa.String),
    sa.Column("segment", sa.String),
    sa.Column("invoice_number", sa.String),
    sa.Column("currency", sa.String),
    sa.Column("amount_minor", sa.BigInteger),
    sa.Column("paid_minor", sa.BigInteger),
    sa.Column("issue_date", sa.Date),
    sa.Column("due_date", sa.Date),
    sa.Column("payment_link", sa.String),
    sa.Column("status", sa.String),
    sa.Column("lettering", sa.String),
    sa.Column("reported_paid_minor", sa.BigInteger),
    sa.Column("pdf", sa.String),
    prefixes=["TEMPORARY"],
)

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


class ImportFailed(Exception):
    """Nothing was imported; `errors` names each bad line (the first MAX_ERRORS_KEPT)."""

    def __init__(self, errors: list[LineError], total: int | None = None):
        self.errors = sorted(errors, key=LineError.key)
        self.total = total if total is not None else len(errors)
        more = f" (and {self.total - len(errors)} more)" if self.total > len(errors) else ""
        super().__init__(
            f"nothing imported: {self.total} error(s){more}\n"
            + "\n".join(str(e) for e in self.errors)
        )


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


def import_invoices(
    engine: Engine,
    path: Path,
    mapping: Mapping,
    *,
    actor: str = "import",
    fallback_timezone: str = "Europe/Paris",
    progress: bool = False,
    allow_reassign: bool = False,
    allow_future: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Import one file; an invoice number already known under another customer is refused
    unless `allow_reassign` (then the move is audited), one issued after `today` (the team's
    date by default) unless `allow_future`; a known invoice's currency never changes."""
    source = CsvSource(path, mapping, progress=progress)
    today = today or local_today(utcnow(), fallback_timezone)
    with unit_of_work(engine) as session:
        conn = session.connection()
        # The staging table lives in the import's transaction: a failure rolls its creation
        # back with everything else (a `finally` could not drop it from an aborted
        # PostgreSQL transaction anyway).
        STAGING.drop(conn, checkfirst=True)
        STAGING.create(conn)
        lines = _stage(conn, source, fallback_timezone)
        mapping = source.mapping  # as the file's header narrowed it
        _index_staged(conn)
        if mapping.settles:
            _settle(conn)
        elif mapping.line_items:
            _merge_line_items(conn, mapping)
        else:
            _refuse_duplicates(conn)
        if not allow_future:
            _refuse_future(conn, today)
        _refuse_currency_changes(conn)
        disagreements = _disagreements(conn, mapping)
        if mapping.provides("status"):
            conn.execute(
                sa.text("UPDATE import_staging SET paid_minor = amount_minor WHERE status = :paid"),
                {"paid": InvoiceStatus.PAID},
            )
        moves = _moves(conn)
        if moves and not allow_reassign:
            raise ImportFailed(
                [
                    LineError(
                        m.line,
                        "",
                        phrase(
                            "invoice {number} belongs to customer {before}, not {after} "
                            "(import with --allow-reassign to move it)",
                            number=repr(m.number),
                            before=repr(m.before),
                            after=repr(m.after),
                        ),
                    )
                    for m in moves[:MAX_ERRORS_KEPT]
                ],
                len(moves),
            )
        payments = _payments(conn, mapping)
        report = _count(conn, mapping, lines, payments, disagreements)
        events = [_payment_event(p, actor) for p in payments]
        events += [_reversal_event(r, actor) for r in _reversals(conn, mapping)]
        closed = _closed(conn)
        events.append(
            audit.NewEvent(
                kind="import",
                actor=actor,
                content={"file": path.name, "mapping": mapping.name, **asdict(report)},
            )
        )
        _apply(conn, mapping)
        report = replace(report, discrepancies=keep_applied(session, STAGING, actor))
        events += _closed_events(conn, closed, actor)
        events += _move_events(conn, moves, actor)
        audit.append_many(session, events)
        STAGING.drop(conn)
    return report


def _stage(conn: Connection, source: CsvSource, fallback_timezone: str) -> int:
    errors: list[LineError] = []
    total_errors = 0
    lines = 0
    reader: LineReader | None = None
    with _staging_writer(conn) as write:
        for line_number, record in source.records():
            if reader is None:
                reader = LineReader(source.mapping, fallback_timezone, source.header)
            lines += 1
            try:
                line = reader.read(record)
            except RowInvalid as invalid:
                total_errors += len(invalid.errors)
                errors.extend(LineError(line_number, e.column, e.message) for e in invalid.errors)
                del errors[MAX_ERRORS_KEPT:]
                continue
            if not total_errors:  # once the import is bound to fail, keep validating only
                write((line_number, *line))
    errors = source.errors + errors
    total_errors += len(source.errors)
    if not errors and lines == 0:
        errors, total_errors = [LineError(1, "", phrase("no invoice lines after the header"))], 1
    if errors:
        raise ImportFailed(errors[:MAX_ERRORS_KEPT], total_errors)
    return lines


@contextmanager
def _staging_writer(conn: Connection) -> Iterator[Callable[[tuple[Any, ...]], None]]:
    """A function taking one validated, typed row at a time, straight to the driver.

    PostgreSQL gets the whole file as one COPY, written from a thread of psycopg's own: the
    server stores rows while this one goes on validating (psycopg's queue between them is
    bounded, about 32 MB, so memory stays flat). SQLite gets batched inserts.
    """
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        if driver is None:
            raise RuntimeError("the database connection is closed")
        cursor = driver.cursor()
        with (
            cursor,
            cursor.copy("COPY import_staging FROM STDIN", writer=QueuedLibpqWriter(cursor)) as copy,
        ):
            yield copy.write_row
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    insert = f"INSERT INTO import_staging VALUES ({', '.join([mark] * len(STAGING.columns))})"
    batch: list[tuple[Any, ...]] = []

    def write(row: tuple[Any, ...]) -> None:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            conn.exec_driver_sql(insert, batch)
            batch.clear()

    yield write
    if batch:
        conn.exec_driver_sql(insert, batch)


def _index_staged(conn: Connection) -> None:
    """Indexes built once the rows are in (cheaper than maintaining them line by line), and
    statistics for the planner, which knows nothing of a temporary table until analysed."""
    conn.exec_driver_sql("CREATE INDEX ix_staged_number ON import_staging (invoice_number)")
    conn.exec_driver_sql(
        "CREATE INDEX ix_staged_customer ON import_staging (customer_external_id, line)"
    )
    conn.exec_driver_sql("ANALYZE import_staging")


def _settle(conn: Connection) -> None:
    """A ledger's entries read as its open items (bot.domain.settlement): one staged row per
    document, with what the ledger's payments and credit notes have paid on it."""
    staged = STAGING.c
    rows = conn.execute(
        sa.select(
            staged.line,
            staged.customer_external_id,
            staged.currency,
            staged.invoice_number,
            staged.amount_minor,
            staged.issue_date,
            staged.lettering,
        ).order_by(staged.line)
    ).all()
    try:
        items = settle([Entry(*row) for row in rows])
    except Conflict as conflict:
        raise ImportFailed([LineError(conflict.line, "", str(conflict))]) from None
    kept = {item.line for item in items}
    merged = [{"line": row.line} for row in rows if row.line not in kept]
    if merged:
        conn.execute(sa.text("DELETE FROM import_staging WHERE line = :line"), merged)
    conn.execute(
        sa.text(
            "UPDATE import_staging SET amount_minor = :amount, paid_minor = :paid,"
            " invoice_number = :number WHERE line = :line"
        ),
        [{"line": i.line, "amount": i.amount, "paid": i.paid, "number": i.number} for i in items],
    )


def _refuse_future(conn: Connection, today: date) -> None:
    """An invoice issued after the import date is a typing error or a draft, until told."""
    rows = conn.execute(
        sa.select(STAGING.c.line, STAGING.c.invoice_number, STAGING.c.issue_date)
        .where(STAGING.c.issue_date > today)
        .order_by(STAGING.c.line)
    ).all()
    if rows:
        raise ImportFailed(
            [
                LineError(
                    r.line,
                    "",
                    phrase(
                        "invoice {number} is issued on {issued}, after today ({today}): "
                        "import with --allow-future if it is",
                        number=repr(r.invoice_number),
                        issued=r.issue_date.isoformat(),
                        today=today.isoformat(),
                    ),
                )
                for r in rows[:MAX_ERRORS_KEPT]
            ],
            len(rows),
        )


def _refuse_currency_changes(conn: Connection) -> None:
    """A known invoice keeps its currency: a file saying otherwise is wrong, or the invoice
    was reissued and needs a new number."""
    rows = conn.execute(
        sa.text(
            "SELECT s.line, s.invoice_number AS number, i.currency AS before,"
            " s.currency AS after FROM import_staging s"
            " JOIN invoice i ON i.number = s.invoice_number"
            " WHERE i.currency <> s.currency ORDER BY s.line"
        )
    ).all()
    if rows:
        raise ImportFailed(
            [
                LineError(
                    r.line,
                    "",
                    phrase(
                        "invoice {number} is in {before}, not {after}: a re-import cannot "
                        "change an invoice's currency (cancel it in your tool and issue a new "
                        "one)",
                        number=repr(r.number),
                        before=r.before,
                        after=r.after,
                    ),
                )
                for r in rows[:MAX_ERRORS_KEPT]
            ],
            len(rows),
        )


def _disagreements(conn: Connection, mapping: Mapping) -> tuple[Phrase, ...]:
    """Open invoices whose tool's balance is not total − paid, one line each (for one figure
    per invoice: summed line items carry no comparable paid figure)."""
    if mapping.summed or not (mapping.provides("balance") and mapping.provides("amount_paid")):
        return ()
    rows = conn.execute(
        sa.text(
            "SELECT line, invoice_number, currency, amount_minor, paid_minor,"
            " reported_paid_minor FROM import_staging WHERE status = :open"
            " AND reported_paid_minor IS NOT NULL AND reported_paid_minor <> paid_minor"
            " ORDER BY line"
        ),
        {"open": InvoiceStatus.OPEN},
    ).all()

    def money(minor: int, currency: str) -> str:
        return f"{currency} {from_minor(minor, currency)}"

    return tuple(
        phrase(
            "line {line}: invoice {number}: {tool} says {owed} is owed, where total {total} "
            "less paid {paid} gives {computed}; imported as {tool} says (a credit or "
            "adjustment allocated there)",
            line=r.line,
            number=r.invoice_number,
            tool=mapping.name,
            owed=money(r.amount_minor - r.paid_minor, r.currency),
            total=money(r.amount_minor, r.currency),
            paid=money(r.reported_paid_minor, r.currency),
            computed=money(r.amount_minor - r.reported_paid_minor, r.currency),
        )
        for r in rows
    )


def _refuse_duplicates(conn: Connection) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT s.invoice_number, s.line FROM import_staging s WHERE s.invoice_number IN ("
            " SELECT invoice_number FROM import_staging GROUP BY invoice_number HAVING COUNT(*) > 1)"
            " ORDER BY s.invoice_number, s.line"
        )
    ).all()
    if not rows:
        return
    first_seen: dict[str, int] = {}
    errors = []
    for number, line in rows:
        if number in first_seen:
            errors.append(
                LineError(
                    line,
                    "",
                    phrase(
                        "invoice number {number} already appears on line {first}",
                        number=repr(number),
                        first=first_seen[number],
                    ),
                )
            )
        else:
            first_seen[number] = line
    raise ImportFailed(errors[:MAX_ERRORS_KEPT], len(errors))


#: Invoice fields every line item of one invoice must repeat alike.
_AGREEING = ("customer_external_id", "currency", "issue_date", "due_date", "status")


def _merge_line_items(conn: Connection, mapping: Mapping) -> None:
    """Lines sharing an invoice number become one invoice: the mapping's summed fields added
    up, every other invoice field checked to agree (an error names both lines otherwise)."""
    by_balance = mapping.provides("balance")
    other = "amount_minor - paid_minor" if by_balance else "paid_minor"
    compared = list(_AGREEING)
    if "amount" not in mapping.summed:
        compared.append("amount_minor")
    if not {"amount_paid", "balance"} & set(mapping.summed):
        compared.append(other)
    rows = conn.execute(
        sa.text(
            f"SELECT line, invoice_number, {', '.join(compared)} FROM import_staging"
            " WHERE invoice_number IN (SELECT invoice_number FROM import_staging"
            " GROUP BY invoice_number HAVING COUNT(*) > 1) ORDER BY invoice_number, line"
        )
    ).all()
    names = [*_AGREEING, "amount", "balance" if by_balance else "amount_paid"]
    first: dict[str, sa.Row[Any]] = {}
    errors = []
    for row in rows:
        seen = first.setdefault(row.invoice_number, row)
        differing = [names[i] for i in range(len(compared)) if row[i + 2] != seen[i + 2]]
        if differing:
            errors.append(
                LineError(
                    row.line,
                    mapping.columns.get(differing[0], differing[0]),
                    phrase(
                        "invoice {number} has another {fields} on line {first}",
                        number=repr(row.invoice_number),
                        fields=", ".join(differing),
                        first=seen.line,
                    ),
                )
            )
    if errors:
        raise ImportFailed(errors[:MAX_ERRORS_KEPT], len(errors))
    if not first:
        return
    sums: dict[str, str] = {}
    if "amount" in mapping.summed:
        sums["amount_minor"] = "SUM(t.amount_minor)"
    if {"amount_paid", "balance"} & set(mapping.summed):
        sums["paid_minor"] = "SUM(t.paid_minor)"
    elif by_balance and "amount" in mapping.summed:  # the repeated balance, of the new total
        sums["paid_minor"] = "SUM(t.amount_minor) - MIN(t.amount_minor - t.paid_minor)"
    sets = ", ".join(
        f"{col} = (SELECT {expr} FROM import_staging t"
        " WHERE t.invoice_number = import_staging.invoice_number)"
        for col, expr in sums.items()
    )
    if sums:
        conn.exec_driver_sql(
            f"UPDATE import_staging SET {sets} WHERE invoice_number IN (SELECT invoice_number"
            " FROM import_staging GROUP BY invoice_number HAVING COUNT(*) > 1)"
        )
    conn.exec_driver_sql(
        "DELETE FROM import_staging WHERE line NOT IN"
        " (SELECT MIN(line) FROM import_staging GROUP BY invoice_number)"
    )
    if sums:
        _refuse_impossible_totals(conn)


def _refuse_impossible_totals(conn: Connection) -> None:
    """Summed line items checked as a whole: not zero, and paid within the invoice amount."""
    bad = conn.execute(
        sa.text(
            "SELECT line, invoice_number, amount_minor FROM import_staging WHERE amount_minor = 0"
            " OR (amount_minor > 0 AND (paid_minor < 0 OR paid_minor > amount_minor))"
            " OR (amount_minor < 0 AND (paid_minor > 0 OR paid_minor < amount_minor))"
            " ORDER BY line"
        )
    ).all()
    if bad:
        raise ImportFailed(
            [
                LineError(
                    r.line,
                    "",
                    phrase(
                        "invoice {number}: its lines add up to zero", number=repr(r.invoice_number)
                    )
                    if r.amount_minor == 0
                    else phrase(
                        "invoice {number}: its lines add up to a payment beyond the invoice amount",
                        number=repr(r.invoice_number),
                    ),
                )
                for r in bad[:MAX_ERRORS_KEPT]
            ],
            len(bad),
        )


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
