"""Owners of customers and of their day's reminders; approval by policy after a hold window;
segments (the escalation policy a customer follows, and the one that suggested a reminder).

Revision ID: 0009_morning
Revises: 0009_ledgers
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_morning"
down_revision = "0009_ledgers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("owner", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("segment", sa.String(40), nullable=False, server_default=""))
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("owner", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("auto_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("auto_rule", sa.String(80), nullable=False, server_default=""))
        batch.add_column(sa.Column("segment", sa.String(40), nullable=False, server_default=""))
    op.create_index("ix_reminder_owner", "reminder", ["owner"])
    op.create_index("ix_reminder_auto_at", "reminder", ["auto_at"])


def downgrade() -> None:
    op.drop_index("ix_reminder_auto_at", "reminder")
    op.drop_index("ix_reminder_owner", "reminder")
    with op.batch_alter_table("reminder") as batch:
        batch.drop_column("segment")
        batch.drop_column("auto_rule")
        batch.drop_column("auto_at")
        batch.drop_column("owner")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("segment")
        batch.drop_column("owner")
