"""Reminders, contacts, promises, disputes; customers can be paused.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(
            sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("paused_until", sa.Date(), nullable=True))

    _create_reminder()
    _create_contact_promise_dispute()


def downgrade() -> None:
    op.drop_table("dispute")
    op.drop_table("promise")
    op.drop_table("contact")
    op.drop_table("reminder")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("paused_until")
        batch.drop_column("paused")


def _create_reminder() -> None:
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("wording", sa.String(60), nullable=False),
        sa.Column("invoice_numbers", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body_text", sa.String(), nullable=False),
        sa.Column("body_html", sa.String(), nullable=False),
        sa.Column("original_subject", sa.String(), nullable=False),
        sa.Column("original_body_text", sa.String(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(40), nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("skip_reason", sa.String(), nullable=False),
        sa.Column("send_after", UTC_TIME, nullable=True),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("slack_channel", sa.String(40), nullable=False),
        sa.Column("slack_ts", sa.String(40), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("customer_id", "run_date", name="uq_reminder_customer_day"),
    )
    op.create_index("ix_reminder_customer_id", "reminder", ["customer_id"])
    op.create_index("ix_reminder_run_date", "reminder", ["run_date"])
    op.create_index("ix_reminder_state", "reminder", ["state"])


def _create_contact_promise_dispute() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("occurred_at", UTC_TIME, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("wording", sa.String(60), nullable=False),
        sa.Column("reminder_id", sa.Integer(), sa.ForeignKey("reminder.id"), nullable=True),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
    )
    op.create_index("ix_contact_customer_time", "contact", ["customer_id", "occurred_at"])

    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_promise_invoice_id", "promise", ["invoice_id"])

    op.create_table(
        "dispute",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("opened_by", sa.String(40), nullable=False),
        sa.Column("opened_at", UTC_TIME, nullable=False),
        sa.Column("resolved_by", sa.String(40), nullable=False),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_dispute_invoice_id", "dispute", ["invoice_id"])
