"""Copies: an invoice may name its PDF (a path under the documents folder, or an https URL),
so reminders attach it and the customer's page offers it.

Revision ID: 0017_copies
Revises: 0016_cash
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_copies"
down_revision = "0016_cash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("pdf", sa.String(500), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("pdf")
