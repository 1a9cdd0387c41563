"""Customers' postal addresses, and the text of final-notice letters.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("address", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("letter_text", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.drop_column("letter_text")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("address")
