"""Trust no stranger on the page: views, prefetches and the posts' rate kept per link in the
database (shared by every process and instance), and billing-contact changes asked on the page
kept until a collector accepts them.

- page_link: `viewed_at` and `prefetched_at` (one event of each an hour), `rate_minute` and
  `rate_hits` (the posts of the current minute).
- contact_change: one row per change asked, decided once.

Revision ID: 0012_trust_http
Revises: 0011_speed
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_trust_http"
down_revision = "0011_speed"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("page_link") as batch:
        batch.add_column(sa.Column("viewed_at", UTC_TIME, nullable=True))
        batch.add_column(sa.Column("prefetched_at", UTC_TIME, nullable=True))
        batch.add_column(sa.Column("rate_minute", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("rate_hits", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "contact_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("asked_at", UTC_TIME, nullable=False),
        sa.Column("link", sa.String(32), nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("decided_by", sa.String(40), nullable=False),
    )
    op.create_index("ix_contact_change_customer_id", "contact_change", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_change_customer_id", "contact_change")
    op.drop_table("contact_change")
    with op.batch_alter_table("page_link") as batch:
        batch.drop_column("rate_hits")
        batch.drop_column("rate_minute")
        batch.drop_column("prefetched_at")
        batch.drop_column("viewed_at")
