"""Replies waiting: when a person acted on a customer's reply (answered it, recorded a dispute
or promise from it, noted a payment, resumed the ladder), and who.

Replies recorded before: those answered, or whose customer's ladder runs again (someone
resumed it), count as handled; the rest still wait.

Revision ID: 0010_rows
Revises: 0010_speed
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_rows"
down_revision = "0010_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message") as batch:
        batch.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("handled_by", sa.String(40), nullable=False, server_default=""))
    op.execute(
        "UPDATE inbound_message SET handled_at = received_at, handled_by = 'relance' "
        "WHERE reply_reminder_id IS NOT NULL OR customer_id IN "
        "(SELECT id FROM customer WHERE NOT paused)"
    )


def downgrade() -> None:
    with op.batch_alter_table("inbound_message") as batch:
        batch.drop_column("handled_by")
        batch.drop_column("handled_at")
