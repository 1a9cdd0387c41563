"""Customer page links: one row per generation, revocable.

Revision ID: 0009_page
Revises: 0009_morning
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_page"
down_revision = "0009_morning"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("customer_id", "generation", name="uq_page_link_generation"),
    )
    op.create_index("ix_page_link_customer_id", "page_link", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_page_link_customer_id", "page_link")
    op.drop_table("page_link")
