"""The governing law of a customer's contracts, and the warnings a reminder carries to the card.

Revision ID: 0009_law
Revises: 0009_lead
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_law"
down_revision = "0009_lead"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(
            sa.Column("governing_law", sa.String(2), nullable=False, server_default="")
        )
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("warnings", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.drop_column("warnings")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("governing_law")
