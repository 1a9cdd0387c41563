"""Fewer indexes for a morning to keep up: each of its twenty thousand reminders and audit
events updated every one of them.

- reminder: `ix_reminder_customer_id` goes; the unique (customer, day, stage) constraint
  starts with the customer and finds a customer's reminders as well.
- reminder_invoice: `ix_reminder_invoice_number` goes. The reminders about a paid invoice are
  its customer's (found through the constraint above), their lists read by primary key; the
  index cost a third of writing a morning's hundred thousand list rows on PostgreSQL.
- audit_event: the unique constraint on `hash` goes. A hash covers its event's `seq`, which is
  unique, so two events can only share a hash through a SHA-256 collision; the chain's fork
  guard is the unique `prev_hash`, which stays. The `kind` and `customer_id` indexes become one
  on (customer_id, kind): events are looked up by customer, and by kind only within customers.

Revision ID: 0011_speed
Revises: 0010_types
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_speed"
down_revision = "0010_types"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def _audit_event(*, hash_unique: bool) -> sa.Table:
    """audit_event as SQLite rebuilds it (SQLite cannot drop an unnamed constraint in place)."""
    return sa.Table(
        "audit_event",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False, unique=True),
        sa.Column("occurred_at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=True),
        sa.Column("invoice_numbers", sa.String(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=hash_unique),
    )


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.drop_index("ix_reminder_customer_id", "reminder")
    op.drop_index("ix_reminder_invoice_number", "reminder_invoice")
    op.drop_index("ix_audit_event_kind", "audit_event")
    op.drop_index("ix_audit_event_customer_id", "audit_event")
    if _is_postgres():
        op.drop_constraint("audit_event_hash_key", "audit_event", type_="unique")
    else:
        with op.batch_alter_table(
            "audit_event", recreate="always", copy_from=_audit_event(hash_unique=False)
        ):
            pass
    op.create_index("ix_audit_event_customer_kind", "audit_event", ["customer_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_customer_kind", "audit_event")
    if _is_postgres():
        op.create_unique_constraint("audit_event_hash_key", "audit_event", ["hash"])
    else:
        with op.batch_alter_table(
            "audit_event", recreate="always", copy_from=_audit_event(hash_unique=True)
        ):
            pass
    op.create_index("ix_audit_event_customer_id", "audit_event", ["customer_id"])
    op.create_index("ix_audit_event_kind", "audit_event", ["kind"])
    op.create_index("ix_reminder_invoice_number", "reminder_invoice", ["number"])
    op.create_index("ix_reminder_customer_id", "reminder", ["customer_id"])
