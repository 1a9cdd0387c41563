"""Messages read from the reply mailbox, and a customer's failing e-mail address.

Revision ID: 0009_inbox
Revises: 0009_page
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_inbox"
down_revision = "0009_page"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("email_problem", sa.String(), nullable=False, server_default=""))
    op.create_table(
        "inbound_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mailbox", sa.String(300), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("sender", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=True),
        sa.Column("reminder_id", sa.Integer(), sa.ForeignKey("reminder.id"), nullable=True),
        sa.Column("matched_by", sa.String(20), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("post_claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slack_channel", sa.String(40), nullable=False),
        sa.Column("slack_ts", sa.String(40), nullable=False),
        sa.Column("moved", sa.Boolean(), nullable=False),
        sa.Column("reply_reminder_id", sa.Integer(), sa.ForeignKey("reminder.id"), nullable=True),
        sa.UniqueConstraint("reply_reminder_id"),
        sa.UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_inbound_mailbox_uid"),
    )
    op.create_index("ix_inbound_message_customer_id", "inbound_message", ["customer_id"])
    op.create_index("ix_inbound_message_slack_ts", "inbound_message", ["slack_ts"])


def downgrade() -> None:
    op.drop_index("ix_inbound_message_slack_ts", "inbound_message")
    op.drop_index("ix_inbound_message_customer_id", "inbound_message")
    op.drop_table("inbound_message")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("email_problem")
