"""Inbound mail as evidence: how a message is known to be its customer's, and whether it waits
for a person's confirmation before it changes anything (services/inbox.py). Messages recorded
before keep what they did: authenticated empty, nothing awaiting.

Revision ID: 0013_trust_mail
Revises: 0011_speed
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_trust_mail"
down_revision = "0011_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message") as batch:
        batch.add_column(
            sa.Column("authenticated", sa.String(200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column(
                "awaiting_confirmation", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(
            sa.Column("confirmed_by", sa.String(40), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_message") as batch:
        batch.drop_column("confirmed_by")
        batch.drop_column("awaiting_confirmation")
        batch.drop_column("authenticated")
