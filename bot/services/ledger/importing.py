"""Importing invoices: all or nothing, every bad line named, re-imports update in place.

Valid lines are streamed into a temporary staging table inside the import's transaction; checks
that span lines (duplicate invoice numbers) and the upserts then run as set-based SQL. Any error
rolls the whole transaction back, so the database is exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import sqlalchemy as sa
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy.engine import Connection, Engine

from bot.db import unit_of_work
from bot.domain.calendar import local_today
from bot.domain.msgid import phrase
from bot.domain.settlement import Conflict, Entry, settle
from bot.domain.states import InvoiceStatus
from bot.importing.mapping import Mapping
from bot.importing.rows import LineReader, RowInvalid
from bot.importing.source import CsvSource, LineError
from bot.models import utcnow
from bot.services import audit
from bot.services.cash.reconcile import keep_applied
from bot.services.ledger._import_checks import (
    _disagreements,
    _merge_line_items,
    _refuse_currency_changes,
    _refuse_duplicates,
    _refuse_future,
)
from bot.services.ledger._import_effects import ImportReport as ImportReport
from bot.services.ledger._import_effects import (
    _apply,
    _closed,
    _closed_events,
    _count,
    _move_events,
    _moves,
    _payment_event,
    _payments,
    _reversal_event,
    _reversals,
)
from bot.services.ledger._import_table import MAX_ERRORS_KEPT, STAGING
from bot.services.ledger._import_table import ImportFailed as ImportFailed

BATCH_SIZE = 2000


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
        _check_staged(conn, mapping, None if allow_future else today)
        disagreements = _disagreements(conn, mapping)
        if mapping.provides("status"):
            conn.execute(
                sa.text("UPDATE import_staging SET paid_minor = amount_minor WHERE status = :paid"),
                {"paid": InvoiceStatus.PAID},
            )
        moves = _moves(conn)
        if moves and not allow_reassign:
            _refuse_moves(moves)
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


def _check_staged(conn: Connection, mapping: Mapping, today: date | None) -> None:
    """The staged lines indexed, merged as the mapping says (settled credits, line items,
    else no duplicates), none issued after `today` (None: any date), no currency changed."""
    _index_staged(conn)
    if mapping.settles:
        _settle(conn)
    elif mapping.line_items:
        _merge_line_items(conn, mapping)
    else:
        _refuse_duplicates(conn)
    if today is not None:
        _refuse_future(conn, today)
    _refuse_currency_changes(conn)


def _refuse_moves(moves: list[sa.Row[Any]]) -> NoReturn:
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
