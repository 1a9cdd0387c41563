"""A reminder's invoices in a table of their own instead of a comma-joined text: the reminders
about an invoice are found through an index, and a number holding a comma stays whole.

Revision ID: 0010_types
Revises: 0010_durable
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_types"
down_revision = "0010_durable"
branch_labels = None
depends_on = None

LISTING = sa.table(
    "reminder_invoice",
    sa.column("reminder_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("number", sa.String()),
)


def upgrade() -> None:
    op.create_table(
        "reminder_invoice",
        sa.Column("reminder_id", sa.Integer(), sa.ForeignKey("reminder.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(64), nullable=False),
    )
    op.create_index("ix_reminder_invoice_number", "reminder_invoice", ["number"])
    bind = op.get_bind()
    # the stored lists were written by splitting nothing: a comma always separated two numbers
    moved = [
        {"reminder_id": reminder_id, "position": position, "number": number}
        for reminder_id, stored in bind.execute(sa.text("SELECT id, invoice_numbers FROM reminder"))
        for position, number in enumerate(stored.split(",") if stored else [])
    ]
    if moved:
        bind.execute(sa.insert(LISTING), moved)
    # In place on both databases (SQLite 3.35+): a batch copy of the table would have to drop
    # the old one, which the rows pointing at reminders refuse.
    op.execute("ALTER TABLE reminder DROP COLUMN invoice_numbers")


def downgrade() -> None:
    op.add_column(
        "reminder", sa.Column("invoice_numbers", sa.String(), nullable=False, server_default="")
    )
    bind = op.get_bind()
    lists: dict[int, list[str]] = {}
    for reminder_id, number in bind.execute(
        sa.select(LISTING.c.reminder_id, LISTING.c.number).order_by(
            LISTING.c.reminder_id, LISTING.c.position
        )
    ):
        lists.setdefault(reminder_id, []).append(number)
    if lists:
        bind.execute(
            sa.text("UPDATE reminder SET invoice_numbers = :numbers WHERE id = :id"),
            [{"numbers": ",".join(numbers), "id": rid} for rid, numbers in lists.items()],
        )
    op.drop_index("ix_reminder_invoice_number", table_name="reminder_invoice")
    op.drop_table("reminder_invoice")
