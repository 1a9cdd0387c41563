"""Hardening: the outbox pause when the mail server refuses; signed requests already handled.

Revision ID: 0009_robust
Revises: 0009_inbox
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_robust"
down_revision = "0009_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_pause",
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "slack_request",
        sa.Column("signature", sa.String(100), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_slack_request_seen_at", "slack_request", ["seen_at"])


def downgrade() -> None:
    op.drop_table("slack_request")
    op.drop_table("outbox_pause")
