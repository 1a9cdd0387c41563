"""Partial indexes for the digest's two lists of customers — those a skip reason holds and those
whose address fails — so the digest finds the few it names without reading every customer
(a million of them at ten times today's ledger).

Revision ID: 0018_scale
Revises: 0017_copies
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_scale"
down_revision = "0017_copies"
branch_labels = None
depends_on = None

#: index name -> the condition on `customer` it covers (the same text in bot/models.py)
PARTIAL = {
    "ix_customer_held": "hold_reason != ''",
    "ix_customer_email_problem": "email_problem != ''",
}


def upgrade() -> None:
    for name, where in PARTIAL.items():
        op.create_index(
            name,
            "customer",
            ["name"],
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for name in PARTIAL:
        op.drop_index(name, "customer")
