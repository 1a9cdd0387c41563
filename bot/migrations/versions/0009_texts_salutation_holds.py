"""Texts: a contact's salutation, and holds from skip reasons.

Revision ID: 0009_texts
Revises: 0009_law
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_texts"
down_revision = "0009_law"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("salutation", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("hold_reason", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("held_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("held_email", sa.String(254), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("held_email")
        batch.drop_column("held_until")
        batch.drop_column("hold_reason")
        batch.drop_column("salutation")
