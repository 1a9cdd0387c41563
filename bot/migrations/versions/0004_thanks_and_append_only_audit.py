"""One reminder per customer, day and stage (a thank-you may join the day's reminder); on
PostgreSQL the audit trail refuses UPDATE, DELETE and TRUNCATE.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

REFUSE = """
CREATE OR REPLACE FUNCTION relance_audit_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.drop_constraint("uq_reminder_customer_day", type_="unique")
        batch.create_unique_constraint(
            "uq_reminder_customer_day_stage", ["customer_id", "run_date", "stage"]
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE)
        op.execute(
            "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION relance_audit_is_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION relance_audit_is_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION relance_audit_is_append_only()")
    with op.batch_alter_table("reminder") as batch:
        batch.drop_constraint("uq_reminder_customer_day_stage", type_="unique")
        batch.create_unique_constraint("uq_reminder_customer_day", ["customer_id", "run_date"])
