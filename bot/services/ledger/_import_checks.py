"""The checks a staged import passes before anything is written: no invoice dated in the future, no
currency changed, no duplicate, no impossible total; line items merged into their invoice; where
the tool's balance disagrees with the lines."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.domain.money import from_minor
from bot.domain.msgid import Phrase, phrase
from bot.domain.states import InvoiceStatus
from bot.importing.mapping import Mapping
from bot.importing.source import LineError
from bot.services.ledger._import_effects import ImportReport as ImportReport
from bot.services.ledger._import_table import MAX_ERRORS_KEPT, STAGING, ImportFailed


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
    if first:
        _sum_line_items(conn, mapping, by_balance)


def _sum_line_items(conn: Connection, mapping: Mapping, by_balance: bool) -> None:
    """Each invoice's line items folded into its first line, the summed fields added up (and
    the sums checked as a whole)."""
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
