"""Inbound mail as evidence: how a message is known to be its customer's, and whether it waits
for a person's confirmation before it changes anything (services/inbox.py). Messages recorded
before keep what they did: authenticated empty, nothing awaiting.

The audit trail's keys and heads (services/audit.py, audit_checkpoint.py): each new event names
the id of the key that links it (events before this have none: verified as before); the head
of the chain recorded each morning, in a table the app's role may only append to.

Revision ID: 0013_trust_mail
Revises: 0012_trust_http
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_trust_mail"
down_revision = "0012_trust_http"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("key_id", sa.String(16), nullable=True))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False, server_default=""),
        sa.Column("signature", sa.String(64), nullable=False, server_default=""),
    )
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
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("key_id")
