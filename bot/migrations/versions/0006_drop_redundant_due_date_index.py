"""Drop the index on invoice.due_date alone: the aging queries read every open invoice anyway,
and (customer_id, due_date) serves the per-customer lookups. One index less to maintain on
every imported line.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_invoice_due_date", table_name="invoice")


def downgrade() -> None:
    op.create_index("ix_invoice_due_date", "invoice", ["due_date"])
