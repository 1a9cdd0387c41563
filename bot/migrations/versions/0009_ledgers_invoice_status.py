"""Invoice status from the accounting export (void and written-off invoices are not chased);
the note a reminder carries when the policy starts a long-overdue customer above the bottom.

Revision ID: 0009_ledgers
Revises: 0009_texts
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_ledgers"
down_revision = "0009_texts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="open"))
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("stage_note", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.drop_column("stage_note")
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("status")
