"""Invoice lists as rows tied to what they name, none a comma-joined text matched with LIKE:

- reminder_invoice: a foreign key from `number` to the invoice's unique number.
- payment_plan: its `invoice_numbers` text becomes rows of `plan_invoice` (plan, position,
  number), with the same foreign key; the text goes.
- audit_event: its `invoice_numbers` text stays, as written (each event's hash covers it);
  rows of `audit_event_invoice` (event seq, position, number) index it, so an invoice's events
  are found through an index. On PostgreSQL they are append-only like the events.

A text read as a list is split at its commas, as the code always read it, except where commas
join pieces into an invoice number that holds a comma and one of the pieces is no invoice: those
pieces are that one number. The same repair is made to the reminder lists 0010_types split that
way. A list naming any other number that is no invoice stops the migration, which names them
and changes nothing: import those invoices, or correct the lists, and run it again.

The downgrade puts each plan's list back as its text (joined by commas: the text it was), drops
the foreign key and the index rows. The pieces the repair joined stay joined: joined by commas,
they read as the same text.

Revision ID: 0020_links
Revises: 0019_dispute_files
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import sqlalchemy as sa
from alembic import op

revision = "0020_links"
down_revision = "0019_dispute_files"
branch_labels = None
depends_on = None

SEPARATOR = ","
Lists = dict[int, list[str]]  # a list's owner (reminder, plan, event) → its numbers in order
BATCH = 10_000  # rows per statement, parameters within SQLite's bound

REMINDER_INVOICE = sa.table(
    "reminder_invoice",
    sa.column("reminder_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("number", sa.String()),
)
PLAN_INVOICE = sa.table(
    "plan_invoice",
    sa.column("plan_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("number", sa.String()),
)
EVENT_INVOICE = sa.table(
    "audit_event_invoice",
    sa.column("event_seq", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("number", sa.String()),
)
INVOICE = sa.table("invoice", sa.column("number", sa.String()))

GUARDED = "audit_event_invoice"
FK_NAME = "reminder_invoice_number_fkey"  # PostgreSQL's own name for it


def _guard(refusal: str) -> str:
    """The audit trail's guard (0004), raising `refusal` (the format and its arguments)."""
    return f"""
CREATE OR REPLACE FUNCTION relance_audit_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION {refusal} USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


class Pieces:
    """The invoice numbers that hold a comma, and which of their comma-separated pieces (and
    runs of pieces) are invoices themselves: what it takes to read a split list back whole."""

    def __init__(self, bind: sa.Connection) -> None:
        self.joined = set(
            bind.execute(
                sa.select(INVOICE.c.number).where(INVOICE.c.number.contains(SEPARATOR))
            ).scalars()
        )
        runs = {
            SEPARATOR.join(parts[i:j])
            for number in self.joined
            for parts in [number.split(SEPARATOR)]
            for i in range(len(parts))
            for j in range(i + 1, len(parts) + 1)
        }
        self.invoices = set(_existing(bind, runs))

    def whole(self, pieces: Sequence[str]) -> list[str]:
        """`pieces` in order, each run of them that joins into an invoice number holding a
        comma made one number, unless every piece of it is an invoice too (then it was a list
        of those, as written). The longest run first."""
        if not self.joined:
            return list(pieces)
        numbers, i = [], 0
        while i < len(pieces):
            for j in range(len(pieces), i + 1, -1):
                run = pieces[i:j]
                joined = SEPARATOR.join(run)
                if joined in self.joined and not all(p in self.invoices for p in run):
                    numbers.append(joined)
                    i = j
                    break
            else:
                numbers.append(pieces[i])
                i += 1
        return numbers


def _existing(bind: sa.Connection, numbers: Iterable[str]) -> Iterator[str]:
    """Those of `numbers` that are invoices."""
    wanted = sorted(set(numbers))
    for start in range(0, len(wanted), BATCH):
        yield from bind.execute(
            sa.select(INVOICE.c.number).where(INVOICE.c.number.in_(wanted[start : start + BATCH]))
        ).scalars()


def _split(stored: str) -> list[str]:
    return stored.split(SEPARATOR) if stored else []


def _insert(bind: sa.Connection, table: sa.TableClause, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), BATCH):
        bind.execute(sa.insert(table), rows[start : start + BATCH])


def _rows(key: str, lists: Lists) -> list[dict[str, object]]:
    return [
        {key: owner, "position": position, "number": number}
        for owner, numbers in lists.items()
        for position, number in enumerate(numbers)
    ]


def _reminder_lists(bind: sa.Connection, pieces: Pieces) -> Lists:
    """The reminder lists that name a number no invoice has, read whole (see above)."""
    orphan = sa.select(REMINDER_INVOICE.c.reminder_id).where(
        ~sa.exists().where(INVOICE.c.number == REMINDER_INVOICE.c.number)
    )
    lists: Lists = {}
    for reminder_id, number in bind.execute(
        sa.select(REMINDER_INVOICE.c.reminder_id, REMINDER_INVOICE.c.number)
        .where(REMINDER_INVOICE.c.reminder_id.in_(orphan))
        .order_by(REMINDER_INVOICE.c.reminder_id, REMINDER_INVOICE.c.position)
    ):
        lists.setdefault(reminder_id, []).append(number)
    return {reminder_id: pieces.whole(numbers) for reminder_id, numbers in lists.items()}


def _read_lists(bind: sa.Connection, pieces: Pieces) -> tuple[Lists, Lists]:
    """The reminder lists to repair and every plan's list, read whole; a list naming a number
    that is no invoice stops the migration here, before anything changed."""
    reminders = _reminder_lists(bind, pieces)
    plans = {
        plan_id: pieces.whole(_split(stored))
        for plan_id, stored in bind.execute(
            sa.text("SELECT id, invoice_numbers FROM payment_plan ORDER BY id")
        )
    }
    named = {n for numbers in [*reminders.values(), *plans.values()] for n in numbers}
    invoices = set(_existing(bind, named))
    orphans = [
        f"{what} {owner}: {missing}"
        for what, lists in [("reminder", reminders), ("payment plan", plans)]
        for owner, numbers in sorted(lists.items())
        if (missing := ", ".join(repr(n) for n in numbers if n not in invoices))
    ]
    if orphans:
        more = [f"… and {len(orphans) - 10} more"] if len(orphans) > 10 else []
        raise RuntimeError(
            "0020_links: these lists name invoices that do not exist (nothing was changed;"
            " import the invoices, or correct the lists, then migrate again):\n"
            + "\n".join(orphans[:10] + more)
        )
    return reminders, plans


def _tie_reminders(bind: sa.Connection, repaired: Lists) -> None:
    """The split lists whole again, then every list tied to the invoices."""
    ids = sorted(repaired)
    for start in range(0, len(ids), BATCH):
        op.execute(
            REMINDER_INVOICE.delete().where(
                REMINDER_INVOICE.c.reminder_id.in_(ids[start : start + BATCH])
            )
        )
    _insert(bind, REMINDER_INVOICE, _rows("reminder_id", repaired))
    with op.batch_alter_table("reminder_invoice") as batch:
        batch.create_foreign_key(FK_NAME, "invoice", ["number"], ["number"])


def _plans_as_rows(bind: sa.Connection, plans: Lists) -> None:
    op.create_table(
        "plan_invoice",
        sa.Column("number", sa.String(64), sa.ForeignKey("invoice.number"), nullable=False),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("payment_plan.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
    )
    _insert(bind, PLAN_INVOICE, _rows("plan_id", plans))
    # In place on both databases (SQLite 3.35+): a batch copy would drop payment_plan, which
    # the instalments' rows pointing at it refuse.
    op.execute("ALTER TABLE payment_plan DROP COLUMN invoice_numbers")


def upgrade() -> None:
    bind = op.get_bind()
    pieces = Pieces(bind)
    reminders, plans = _read_lists(bind, pieces)
    _tie_reminders(bind, reminders)
    _plans_as_rows(bind, plans)
    op.create_table(
        "audit_event_invoice",
        sa.Column(
            "event_seq",
            sa.Integer(),
            sa.ForeignKey("audit_event.seq", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(), nullable=False),
    )
    op.create_index("ix_audit_event_invoice_number", "audit_event_invoice", ["number", "event_seq"])
    _index_events(bind, pieces)
    if bind.dialect.name == "postgresql":
        # the guard names the table it guards, now that it guards two
        op.execute(_guard("'% is append-only: % refused', TG_TABLE_NAME, TG_OP"))
        op.execute(
            f"CREATE TRIGGER {GUARDED}_no_change BEFORE UPDATE OR DELETE ON {GUARDED} "
            "FOR EACH ROW EXECUTE FUNCTION relance_audit_is_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {GUARDED}_no_truncate BEFORE TRUNCATE ON {GUARDED} "
            "FOR EACH STATEMENT EXECUTE FUNCTION relance_audit_is_append_only()"
        )


def _index_events(bind: sa.Connection, pieces: Pieces) -> None:
    """The index rows of the events written so far, a batch of events at a time."""
    after = 0
    while True:
        events = bind.execute(
            sa.text(
                "SELECT seq, invoice_numbers FROM audit_event WHERE seq > :after"
                " ORDER BY seq LIMIT :batch"
            ),
            {"after": after, "batch": BATCH},
        ).all()
        if not events:
            return
        lists = {seq: pieces.whole(_split(stored)) for seq, stored in events}
        _insert(bind, EVENT_INVOICE, _rows("event_seq", lists))
        after = events[-1][0]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {GUARDED}_no_truncate ON {GUARDED}")
        op.execute(f"DROP TRIGGER {GUARDED}_no_change ON {GUARDED}")
        op.execute(_guard("'audit_event is append-only: % refused', TG_OP"))
    op.drop_index("ix_audit_event_invoice_number", table_name="audit_event_invoice")
    op.drop_table("audit_event_invoice")

    op.add_column(
        "payment_plan",
        sa.Column("invoice_numbers", sa.String(), nullable=False, server_default=""),
    )
    lists: Lists = {}
    for plan_id, number in bind.execute(
        sa.select(PLAN_INVOICE.c.plan_id, PLAN_INVOICE.c.number).order_by(
            PLAN_INVOICE.c.plan_id, PLAN_INVOICE.c.position
        )
    ):
        lists.setdefault(plan_id, []).append(number)
    if lists:
        bind.execute(
            sa.text("UPDATE payment_plan SET invoice_numbers = :numbers WHERE id = :id"),
            [{"numbers": SEPARATOR.join(numbers), "id": pid} for pid, numbers in lists.items()],
        )
    op.drop_table("plan_invoice")

    with op.batch_alter_table("reminder_invoice") as batch:
        batch.drop_constraint(FK_NAME, type_="foreignkey")
