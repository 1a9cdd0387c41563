"""The request journal: a signed click or form kept with its body until its work is done.

Revision ID: 0010_durable
Revises: 0010_rows
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_durable"
down_revision = "0010_rows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("slack_request") as table:
        table.add_column(sa.Column("body", sa.Text(), nullable=True))
        table.add_column(sa.Column("content_type", sa.String(100), nullable=True))
        table.add_column(sa.Column("claimed_by", sa.String(200), nullable=True))
        table.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("recoveries", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("error", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("slack_request") as table:
        for name in (
            "error",
            "handled_at",
            "recoveries",
            "claimed_until",
            "claimed_by",
            "content_type",
            "body",
        ):
            table.drop_column(name)
