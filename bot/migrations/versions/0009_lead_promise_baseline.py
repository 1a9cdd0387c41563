"""What an invoice had been paid when a promise was made, so a partial promise paid on time is
kept rather than broken.

Revision ID: 0009_lead
Revises: 0008
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_lead"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("promise") as batch:
        # Existing promises: what the invoice has been paid so far is the best baseline known.
        batch.add_column(
            sa.Column("paid_before_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE promise SET paid_before_minor ="
        " (SELECT paid_minor FROM invoice WHERE invoice.id = promise.invoice_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("promise") as batch:
        batch.drop_column("paid_before_minor")
