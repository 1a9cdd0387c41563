"""Reminders whose texts are not written yet: the morning decides, the texts follow when first
needed (shown, edited or approved). Every existing reminder has its texts.

Revision ID: 0010_speed
Revises: 0009_robust
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_speed"
down_revision = "0009_robust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(
            sa.Column("drafted", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.drop_column("drafted")
