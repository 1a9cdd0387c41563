"""Dispute files: the one file (PDF, PNG or JPEG) a customer may send with a dispute from
their page, kept in the database beside the dispute. And a reminder's card claimed while it is
posted, so a card posted at once (a plan's confirmation) and the digest never both post it.

Revision ID: 0019_dispute_files
Revises: 0018_scale
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_dispute_files"
down_revision = "0018_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispute_file",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("invoice_numbers", sa.String(), nullable=False),
        sa.Column("filename", sa.String(100), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("link", sa.String(32), nullable=False),
    )
    op.create_index("ix_dispute_file_customer_id", "dispute_file", ["customer_id"])
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("card_claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # In place on both databases (SQLite 3.35+): a batch copy would drop the reminder table,
    # which the rows pointing at reminders refuse.
    op.execute("ALTER TABLE reminder DROP COLUMN card_claimed_until")
    op.drop_index("ix_dispute_file_customer_id", table_name="dispute_file")
    op.drop_table("dispute_file")
