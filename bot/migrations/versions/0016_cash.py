"""Cash application: bank statements, their lines, the payments applied, learnt payer IBANs.

Revision ID: 0016_cash
Revises: 0013_trust_mail
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_cash"
down_revision = "0013_trust_mail"
branch_labels = None
depends_on = None


def _slack() -> list[sa.Column[str]]:
    return [
        sa.Column("slack_channel", sa.String(40), nullable=False, server_default=""),
        sa.Column("slack_ts", sa.String(40), nullable=False, server_default=""),
    ]


def upgrade() -> None:
    _create_statements_and_lines()
    _create_applications_and_ibans()


def downgrade() -> None:
    op.drop_index("ix_payer_iban_iban", "payer_iban")
    op.drop_table("payer_iban")
    for column in ("line_id", "invoice_id", "applied_at"):
        op.drop_index(f"ix_cash_application_{column}", "cash_application")
    op.drop_table("cash_application")
    for column in ("statement_id", "payer_iban", "state", "customer_id"):
        op.drop_index(f"ix_bank_line_{column}", "bank_line")
    op.drop_table("bank_line")
    op.drop_table("bank_statement")


def _create_statements_and_lines() -> None:
    op.create_table(
        "bank_statement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("account", sa.String(64), nullable=False, server_default=""),
        sa.Column("lines", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        *_slack(),
    )
    op.create_table(
        "bank_line",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("statement_id", sa.Integer(), sa.ForeignKey("bank_statement.id"), nullable=False),
        sa.Column("account", sa.String(64), nullable=False, server_default=""),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.Boolean(), nullable=False),
        sa.Column("reversal", sa.Boolean(), nullable=False),
        sa.Column("payer_name", sa.String(140), nullable=False, server_default=""),
        sa.Column("payer_iban", sa.String(34), nullable=False, server_default=""),
        sa.Column("remittance", sa.String(), nullable=False, server_default=""),
        sa.Column("end_to_end", sa.String(100), nullable=False, server_default=""),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("rule", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("why", sa.String(), nullable=False, server_default=""),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=True),
        sa.Column("candidates", sa.String(), nullable=False, server_default="[]"),
        sa.Column("proposed", sa.String(), nullable=False, server_default="[]"),
        sa.Column("unapplied_minor", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("reverses_line_id", sa.Integer(), sa.ForeignKey("bank_line.id"), nullable=True),
        sa.Column("decided_by", sa.String(40), nullable=False, server_default=""),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        *_slack(),
        sa.UniqueConstraint("account", "reference", name="uq_bank_line_entry"),
    )
    for column in ("statement_id", "payer_iban", "state", "customer_id"):
        op.create_index(f"ix_bank_line_{column}", "bank_line", [column])


def _create_applications_and_ibans() -> None:
    op.create_table(
        "cash_application",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("line_id", sa.Integer(), sa.ForeignKey("bank_line.id"), nullable=False),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("rule", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("decided_by", sa.String(40), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
    )
    for column in ("line_id", "invoice_id", "applied_at"):
        op.create_index(f"ix_cash_application_{column}", "cash_application", [column])
    op.create_table(
        "payer_iban",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("learnt_by", sa.String(40), nullable=False),
        sa.Column("learnt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("line_id", sa.Integer(), sa.ForeignKey("bank_line.id"), nullable=True),
        sa.UniqueConstraint("iban", "customer_id", name="uq_payer_iban_customer"),
    )
    op.create_index("ix_payer_iban_iban", "payer_iban", ["iban"])
